/**
 * This file was auto-generated from openapi/copernica-v3.yaml by packages/contracts/scripts/generate.ts.
 * Do not make direct changes to the file: edit the spec and run `pnpm generate`.
 */
import type { OperationMetadata } from "../Metadata.ts"

/** Every Copernica REST v3 operation with its retry safety, rate limits and provenance, keyed by operationId. */
export const operations = {
  "createDatabaseField": {
    "operationId": "createDatabaseField",
    "method": "post",
    "path": "/database/{id}/fields",
    "pathAliases": [],
    "summary": "Add a field to a database",
    "provenance": {
      "status": "documented",
      "source": "https://github.com/CopernicaMarketingSoftware/Documentation/blob/20c64678957d9837580ea4da974794ddbe6016f0/Publisher/en/restv3/rest-post-database-fields.md",
      "note": "The page says the new id \"is returned\" without naming the header; X-Created is inferred from the official PHP helper, which returns the X-Created value of every POST."
    },
    "rateLimits": {
      "status": "unknown",
      "scope": "account",
      "windows": [],
      "note": "Copernica publishes no rate limit (v1 to v4, en and nl docs). HTTP 429 with a Retry-After header is seen only in a third-party client (123lens/copernica-rest-api-client, src/Endpoints/BaseEndpoint.php), so it is unconfirmed. Self-throttle adaptively: honour Retry-After and back off on 429."
    },
    "retry": {
      "policy": "check-first",
      "note": "Before repeating, list the database's fields (listDatabaseFields, every page) and look for a field with the same name. If it exists the first attempt took effect: use its ID and do not repeat. Only repeat when no field of that name exists."
    }
  },
  "createImport": {
    "operationId": "createImport",
    "method": "post",
    "path": "/imports",
    "pathAliases": [
      "/imports/"
    ],
    "summary": "Create (and by default start) an import job",
    "provenance": {
      "status": "documented",
      "source": "https://github.com/CopernicaMarketingSoftware/Documentation/blob/20c64678957d9837580ea4da974794ddbe6016f0/Publisher/en/restv3/rest-post-imports.md",
      "note": "The same page is live at https://www.copernica.com/en/documentation/restv3/rest-post-imports (it says POST where the repository text says PUT). The request body is documented; the response is not documented on the import page: 201 without a body, the import id in X-Created and an X-location header are inferred from rest-requests.md and from the official PHP helper, which returns the X-Created id of post(\"imports/\")."
    },
    "rateLimits": {
      "status": "unknown",
      "scope": "account",
      "windows": [],
      "note": "Copernica publishes no rate limit (v1 to v4, en and nl docs). HTTP 429 with a Retry-After header is seen only in a third-party client (123lens/copernica-rest-api-client, src/Endpoints/BaseEndpoint.php), so it is unconfirmed. Self-throttle adaptively: honour Retry-After and back off on 429."
    },
    "retry": {
      "policy": "check-first",
      "note": "No endpoint lists imports, so the client cannot ask whether the first attempt created a job, and every repeat is a second import job (quota, selections rebuilt, follow-ups run twice), whatever the action. It repeats only after a certain refusal (429, refused connection). An attempt in doubt (lost answer, timeout, 5xx) is settled by evidence before anything is sent again: the import's unique name is looked for with getImport among the ids after the highest one known before the attempt ([inferred] ids are sequential per account, see getImport), and the rows are read back with listDatabaseProfiles fields[] filters, checking every returned profile's values, because the live API ignores an unknown field or unparsable condition and returns the list unfiltered."
    }
  },
  "getImport": {
    "operationId": "getImport",
    "method": "get",
    "path": "/import/{id}",
    "pathAliases": [],
    "summary": "Get the state of an import job",
    "provenance": {
      "status": "documented",
      "source": "https://github.com/CopernicaMarketingSoftware/Documentation/blob/20c64678957d9837580ea4da974794ddbe6016f0/Publisher/en/restv3/rest-get-import.md",
      "note": "The same page is live at https://www.copernica.com/en/documentation/restv3/rest-get-import. Its field table says processedlines while its JSON example says processedLines; both casings are accepted. [inferred] Import ids are numbers given out in sequence per account (the documented examples and every X-Created seen count up; the order is not documented), and an id that was never given out answers like a missing import. The sync engine relies on this to look for an import whose creation answer was lost among the ids after the last one it knew, tolerating a few missing ids in a row before it concludes that no later import exists."
    },
    "rateLimits": {
      "status": "unknown",
      "scope": "account",
      "windows": [],
      "note": "Copernica publishes no rate limit (v1 to v4, en and nl docs). HTTP 429 with a Retry-After header is seen only in a third-party client (123lens/copernica-rest-api-client, src/Endpoints/BaseEndpoint.php), so it is unconfirmed. Self-throttle adaptively: honour Retry-After and back off on 429."
    },
    "retry": {
      "policy": "safe",
      "note": "A read; repeating it cannot change anything."
    }
  },
  "listDatabaseFields": {
    "operationId": "listDatabaseFields",
    "method": "get",
    "path": "/database/{id}/fields",
    "pathAliases": [],
    "summary": "List the fields of a database",
    "provenance": {
      "status": "documented",
      "source": "https://github.com/CopernicaMarketingSoftware/Documentation/blob/20c64678957d9837580ea4da974794ddbe6016f0/Publisher/en/restv3/rest-get-database-fields.md",
      "note": "The page has no JSON example. That numbers (ID, length, textlines) come back as strings is seen in the CDoc rest-get-databases.md example and in the 123lens mock used as the response example here."
    },
    "rateLimits": {
      "status": "unknown",
      "scope": "account",
      "windows": [],
      "note": "Copernica publishes no rate limit (v1 to v4, en and nl docs). HTTP 429 with a Retry-After header is seen only in a third-party client (123lens/copernica-rest-api-client, src/Endpoints/BaseEndpoint.php), so it is unconfirmed. Self-throttle adaptively: honour Retry-After and back off on 429."
    },
    "retry": {
      "policy": "safe",
      "note": "A read; repeating it cannot change anything."
    }
  },
  "listDatabaseProfiles": {
    "operationId": "listDatabaseProfiles",
    "method": "get",
    "path": "/database/{id}/profiles",
    "pathAliases": [],
    "summary": "List (and filter) the profiles of a database",
    "provenance": {
      "status": "documented",
      "source": "https://github.com/CopernicaMarketingSoftware/Documentation/blob/20c64678957d9837580ea4da974794ddbe6016f0/Publisher/en/restv3/rest-get-database-profiles.md",
      "note": "The fields[] syntax is documented in rest-fields-parameter.md; that the [] must not be percent-encoded comes from a third-party client (rmuit/copernica-api), as does the nextid member of the paging wrapper (123lens mock)."
    },
    "rateLimits": {
      "status": "unknown",
      "scope": "account",
      "windows": [],
      "note": "Copernica publishes no rate limit (v1 to v4, en and nl docs). HTTP 429 with a Retry-After header is seen only in a third-party client (123lens/copernica-rest-api-client, src/Endpoints/BaseEndpoint.php), so it is unconfirmed. Self-throttle adaptively: honour Retry-After and back off on 429."
    },
    "retry": {
      "policy": "safe",
      "note": "A read; repeating it cannot change anything."
    }
  },
  "listDatabases": {
    "operationId": "listDatabases",
    "method": "get",
    "path": "/databases",
    "pathAliases": [],
    "summary": "List the databases of the account",
    "provenance": {
      "status": "documented",
      "source": "https://github.com/CopernicaMarketingSoftware/Documentation/blob/20c64678957d9837580ea4da974794ddbe6016f0/Publisher/en/restv3/rest-get-databases.md",
      "note": "The page calls fields, interests and collections \"arrays\" but its example shows paging wrappers, which is what is modelled. Its intentions are \"either 1 or null\", while the 123lens mock shows false."
    },
    "rateLimits": {
      "status": "unknown",
      "scope": "account",
      "windows": [],
      "note": "Copernica publishes no rate limit (v1 to v4, en and nl docs). HTTP 429 with a Retry-After header is seen only in a third-party client (123lens/copernica-rest-api-client, src/Endpoints/BaseEndpoint.php), so it is unconfirmed. Self-throttle adaptively: honour Retry-After and back off on 429."
    },
    "retry": {
      "policy": "safe",
      "note": "A read; repeating it cannot change anything."
    }
  }
} as const satisfies Record<string, OperationMetadata>
