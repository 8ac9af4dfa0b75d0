/**
 * This file was auto-generated from openapi/ocamba-hood.yaml by packages/contracts/scripts/generate.ts.
 * Do not make direct changes to the file: edit the spec and run `pnpm generate`.
 */
import type { OperationMetadata } from "../Metadata.ts"

/** Every Ocamba Hood operation with its retry safety, rate limits and provenance, keyed by operationId. */
export const operations = {
  "commitProfileImport": {
    "operationId": "commitProfileImport",
    "method": "post",
    "path": "/profiles/imports/{id}/commit",
    "pathAliases": [],
    "summary": "Commit an import with a column mapping",
    "provenance": {
      "status": "documented",
      "source": "https://docs.ocamba.com/api/hood/v1.0/reference/create-profiles-imports-by_id-commit",
      "note": "Whether {id} is the import record id or the upload's LRO id is not documented."
    },
    "rateLimits": {
      "status": "documented",
      "scope": "account",
      "windows": [
        {
          "limit": 10,
          "windowSeconds": 1
        },
        {
          "limit": 150,
          "windowSeconds": 60
        }
      ],
      "source": "https://docs.ocamba.com/guides/core/core-platform-settings/rate-limits",
      "note": "Tier C (Burst 10/s, Steady 150/m) as stated on the endpoint page; fixed windows."
    },
    "retry": {
      "policy": "check-first",
      "note": "Never commit twice. Read the import with getProfileImport first: if its status is no longer the uncommitted one ([inferred] `uploaded`; i.e. it is `running`, `finished` or `failed`), the first commit took effect and must not be repeated. Only an import still in the uncommitted status may be committed again."
    }
  },
  "createProfileImport": {
    "operationId": "createProfileImport",
    "method": "post",
    "path": "/profiles/imports",
    "pathAliases": [],
    "summary": "Upload a file and start an import session",
    "provenance": {
      "status": "documented",
      "source": "https://docs.ocamba.com/api/hood/v1.0/reference/create-profiles-imports",
      "note": "The path, the 50 MB limit, the file types and the 202 body are documented. The request body is not: the page shows \"Request schema: body\" but its example sends no file, so the multipart field names are inferred."
    },
    "rateLimits": {
      "status": "documented",
      "scope": "account",
      "windows": [
        {
          "limit": 10,
          "windowSeconds": 1
        },
        {
          "limit": 150,
          "windowSeconds": 60
        }
      ],
      "source": "https://docs.ocamba.com/guides/core/core-platform-settings/rate-limits",
      "note": "Tier C (Burst 10/s, Steady 150/m) as stated on the endpoint page; fixed windows."
    },
    "retry": {
      "policy": "safe",
      "note": "A repeated upload only creates a second, uncommitted import session; nothing is written to profiles until a commit. The orphaned session is left to expire (the import record carries an expire_time)."
    },
    "maxUploadBytes": 52428800
  },
  "createProfileProperty": {
    "operationId": "createProfileProperty",
    "method": "post",
    "path": "/profile-properties",
    "pathAliases": [],
    "summary": "Create a custom profile property",
    "provenance": {
      "status": "documented",
      "source": "https://docs.ocamba.com/api/hood/v1.0/reference/create-profile-properties",
      "note": "The data_type values and description length (2000) come from the Customer Property schema on https://docs.ocamba.com/api/hood/v1.0/view-customer-data-by_id."
    },
    "rateLimits": {
      "status": "documented",
      "scope": "account",
      "windows": [
        {
          "limit": 10,
          "windowSeconds": 1
        },
        {
          "limit": 150,
          "windowSeconds": 60
        }
      ],
      "source": "https://docs.ocamba.com/guides/core/core-platform-settings/rate-limits",
      "note": "Tier C (Burst 10/s, Steady 150/m) as stated on the endpoint page; fixed windows."
    },
    "retry": {
      "policy": "check-first",
      "note": "Before repeating, list properties with the filter `label=<label>`: if a property with that label exists, the first attempt took effect; use it instead of creating again."
    }
  },
  "createResync": {
    "operationId": "createResync",
    "method": "post",
    "path": "/resync",
    "pathAliases": [],
    "summary": "Resync integrations and conversions",
    "provenance": {
      "status": "documented",
      "source": "https://docs.ocamba.com/api/hood/v1.0/create-resync"
    },
    "rateLimits": {
      "status": "documented",
      "scope": "account",
      "windows": [
        {
          "limit": 10,
          "windowSeconds": 1
        },
        {
          "limit": 150,
          "windowSeconds": 60
        }
      ],
      "source": "https://docs.ocamba.com/guides/core/core-platform-settings/rate-limits",
      "note": "Tier C (Burst 10/s, Steady 150/m) as stated on the endpoint page; fixed windows."
    },
    "retry": {
      "policy": "safe",
      "note": "A trigger; running the same resync again only syncs the same objects again."
    }
  },
  "getProfileImport": {
    "operationId": "getProfileImport",
    "method": "get",
    "path": "/profiles/imports/{id}",
    "pathAliases": [],
    "summary": "Read an import record",
    "provenance": {
      "status": "inferred",
      "source": "https://docs.ocamba.com/api/hood/v1.0/reference/create-profiles-imports",
      "note": "The upload page refers to \"listing import center records\" for the mapping but gives no path or response. The path is inferred; the record shape comes from the 202 example on the older commit page (https://docs.ocamba.com/api/hood/v1.0/create-profiles-imports-by_id-commit); `columns` is inferred."
    },
    "rateLimits": {
      "status": "documented",
      "scope": "account",
      "windows": [
        {
          "limit": 10,
          "windowSeconds": 1
        },
        {
          "limit": 150,
          "windowSeconds": 60
        }
      ],
      "source": "https://docs.ocamba.com/guides/core/core-platform-settings/rate-limits",
      "note": "The account-wide limits apply to every endpoint; the tier of this (unpublished) endpoint is assumed to be C like every other Hood endpoint."
    },
    "retry": {
      "policy": "safe",
      "note": "A read; repeating it changes nothing."
    }
  },
  "getProfileImportReport": {
    "operationId": "getProfileImportReport",
    "method": "get",
    "path": "/reports/profiles/import/{id}/full",
    "pathAliases": [],
    "summary": "Per-profile results of an import",
    "provenance": {
      "status": "documented",
      "source": "https://docs.ocamba.com/api/hood/v1.0/reference/view-reports-profiles-import-by_id-full/",
      "note": "Path and 200 body are documented. The query parameter names, the `row` and `message` fields, and which import's id goes in {id} are inferred."
    },
    "rateLimits": {
      "status": "documented",
      "scope": "account",
      "windows": [
        {
          "limit": 10,
          "windowSeconds": 1
        },
        {
          "limit": 150,
          "windowSeconds": 60
        }
      ],
      "source": "https://docs.ocamba.com/guides/core/core-platform-settings/rate-limits",
      "note": "Tier C (Burst 10/s, Steady 150/m) as stated on the endpoint page; fixed windows."
    },
    "retry": {
      "policy": "safe",
      "note": "A read; repeating it changes nothing."
    }
  },
  "listProfileProperties": {
    "operationId": "listProfileProperties",
    "method": "get",
    "path": "/profile-properties",
    "pathAliases": [],
    "summary": "List profile properties",
    "provenance": {
      "status": "documented",
      "source": "https://docs.ocamba.com/api/hood/v1.0/reference/view-profile-properties"
    },
    "rateLimits": {
      "status": "documented",
      "scope": "account",
      "windows": [
        {
          "limit": 10,
          "windowSeconds": 1
        },
        {
          "limit": 150,
          "windowSeconds": 60
        }
      ],
      "source": "https://docs.ocamba.com/guides/core/core-platform-settings/rate-limits",
      "note": "Tier C (Burst 10/s, Steady 150/m) as stated on the endpoint page; fixed windows."
    },
    "retry": {
      "policy": "safe",
      "note": "A read; repeating it changes nothing."
    }
  },
  "updateProfileProperty": {
    "operationId": "updateProfileProperty",
    "method": "patch",
    "path": "/profile-properties/{id}",
    "pathAliases": [],
    "summary": "Update a custom profile property",
    "provenance": {
      "status": "documented",
      "source": "https://docs.ocamba.com/api/hood/v1.0/reference/update-profile-properties-by_id"
    },
    "rateLimits": {
      "status": "documented",
      "scope": "account",
      "windows": [
        {
          "limit": 10,
          "windowSeconds": 1
        },
        {
          "limit": 150,
          "windowSeconds": 60
        }
      ],
      "source": "https://docs.ocamba.com/guides/core/core-platform-settings/rate-limits",
      "note": "Tier C (Burst 10/s, Steady 150/m) as stated on the endpoint page; fixed windows."
    },
    "retry": {
      "policy": "safe",
      "note": "Idempotent; sending the same field values again leaves the property in the same state."
    }
  }
} as const satisfies Record<string, OperationMetadata>
