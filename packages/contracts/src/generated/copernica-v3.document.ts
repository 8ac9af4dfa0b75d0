/**
 * This file was auto-generated from openapi/copernica-v3.yaml by packages/contracts/scripts/generate.ts.
 * Do not make direct changes to the file: edit the spec and run `pnpm generate`.
 */
import type { OpenApiDocument } from "../OpenApi.ts"

/** The Copernica REST v3 spec, parsed: what the validators compile and the routers match. */
export const document: OpenApiDocument = {
  "openapi": "3.1.0",
  "info": {
    "title": "Copernica REST API v3 (the subset profilesync uses)",
    "version": "v3",
    "summary": "Hand-written contract for the Copernica Marketing Software REST API v3, limited to imports, database fields, profiles and databases.",
    "description": "Single source of truth for the Copernica side of profilesync: the types, the runtime validators\n(JSON Schema 2020-12, Ajv), the stateful vendor simulator and the proxy allow-list are all generated from this file.\n\nSources. \"CDoc\" is the GitHub repository `CopernicaMarketingSoftware/Documentation` at commit\n`20c64678957d9837580ea4da974794ddbe6016f0`, the last tree that still holds `Publisher/en/restv3/*` (deleted on\n2024-08-26). Where www.copernica.com still serves the same page, the operation's provenance note says so.\nFacts that no Copernica document states are marked `[inferred]` in the description where they are used, with\nthe reason (most come from third-party clients: rmuit/copernica-api, 123lens/copernica-rest-api-client).\n\nConventions that hold for every operation (CDoc `rest-requests.md`, `rest-paging.md`):\n- The access token goes in the `access_token` query parameter of every call.\n- GET returns 200 with a JSON body. POST returns 201 with **no body**; the id of what was created comes back in a\n  header. A moved call answers 301.\n- Failures answer **400** with `{\"error\":{\"message\":\"...\"}}`. `[inferred]` Third-party clients observed that practically\n  every error is a 400, an invalid access token included, and that a GET can carry an `error` body under an\n  \"expected\" status, so clients check for the `error` key as well as the status.\n- Numbers inside resources (IDs, lengths, line counts) come back as JSON **strings**; booleans are real JSON\n  booleans; \"no value\" is often `false`. The paging wrapper's own numbers are real integers.\n- Lists use the paging wrapper `{start, limit, count, total, data}`; `limit` defaults to 100 and is at most 1000.\n- No rate limit is published for any version (v1 to v4); see `x-profilesync-rate-limits` on each operation.\n- `[inferred]` Routing, as rmuit/copernica-api's behaviour tests observed it on the live API\n  (`tests/ApiBehaviorTest.php`, `provideBasicExceptionsData`): a path that exists but does not serve the method\n  answers **400** `{\"error\":{\"message\":\"Invalid method\"}}`, not 405 (`GET database/ID/field/1`, `GET minicondition`,\n  `DELETE profile/ID/subprofiles/ID`), and so does an unknown path (`GET PROFILE/ID`: paths are case sensitive);\n  extra slashes are ignored, and so are superfluous path components and unknown query parameters on\n  `database/ID/profiles`. HEAD is answered as GET without a body (RFC 9110 §9.3.2); no Copernica source shows an\n  answer to OPTIONS, which is treated as any other method the path does not serve. The `Allow` header on these\n  answers is ours (RFC 9110 §10.2.1), to help callers; the vendor is not known to send it.\n"
  },
  "servers": [
    {
      "url": "https://api.copernica.com/v3",
      "description": "Copernica REST API v3 (production)."
    }
  ],
  "security": [
    {
      "accessToken": []
    }
  ],
  "tags": [
    {
      "name": "Imports",
      "description": "Bulk import of (sub)profiles into a database, and the status of an import job."
    },
    {
      "name": "Database fields",
      "description": "The profile fields of a database."
    },
    {
      "name": "Profiles",
      "description": "Profiles stored in a database."
    },
    {
      "name": "Databases",
      "description": "The databases of the account."
    }
  ],
  "paths": {
    "/imports": {
      "x-profilesync-path-aliases": [
        "/imports/"
      ],
      "post": {
        "operationId": "createImport",
        "tags": [
          "Imports"
        ],
        "summary": "Create (and by default start) an import job",
        "description": "Creates an import job for a database. The rows come either inline (`source`) or from a file at a URL\n(`location`), never both. Documented in CDoc `rest-post-imports.md`; the repository text says \"HTTP PUT\", the\nlive page says POST, and the official PHP helper posts to `imports/` (trailing slash, accepted as an alias).\n\nRules from the documentation that JSON Schema cannot express:\n- The keys of the rows in `source` must appear in the **same order in every row**.\n- Subprofile columns are written `Collection.Field` (for example `Order.Status`), in `source` and in `keyFields`.\n\nThere is no endpoint that lists imports (neither v3 nor v4 documents `GET /imports`): keep the id returned in\n`X-Created` and poll `getImport`.\n",
        "x-profilesync-provenance": {
          "status": "documented",
          "source": "https://github.com/CopernicaMarketingSoftware/Documentation/blob/20c64678957d9837580ea4da974794ddbe6016f0/Publisher/en/restv3/rest-post-imports.md",
          "note": "The same page is live at https://www.copernica.com/en/documentation/restv3/rest-post-imports (it says POST where the repository text says PUT). The request body is documented; the response is not documented on the import page: 201 without a body, the import id in X-Created and an X-location header are inferred from rest-requests.md and from the official PHP helper, which returns the X-Created id of post(\"imports/\")."
        },
        "x-profilesync-rate-limits": {
          "status": "unknown",
          "scope": "account",
          "windows": [],
          "note": "Copernica publishes no rate limit (v1 to v4, en and nl docs). HTTP 429 with a Retry-After header is seen only in a third-party client (123lens/copernica-rest-api-client, src/Endpoints/BaseEndpoint.php), so it is unconfirmed. Self-throttle adaptively: honour Retry-After and back off on 429."
        },
        "x-profilesync-retry": {
          "policy": "check-first",
          "note": "No endpoint lists imports, so the client cannot ask whether the first attempt created a job, and every repeat is a second import job (quota, selections rebuilt, follow-ups run twice), whatever the action. It repeats only after a certain refusal (429, refused connection). An attempt in doubt (lost answer, timeout, 5xx) is settled by evidence before anything is sent again: the import's unique name is looked for with getImport among the ids after the highest one known before the attempt ([inferred] ids are sequential per account, see getImport), and the rows are read back with listDatabaseProfiles fields[] filters, checking every returned profile's values, because the live API ignores an unknown field or unparsable condition and returns the list unfiltered."
        },
        "requestBody": {
          "required": true,
          "description": "The import definition. Only `application/json` is modelled (the API also takes form encoding).",
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/CreateImportRequest"
              },
              "examples": {
                "phpExample": {
                  "summary": "CDoc \"PHP example\", converted to JSON",
                  "description": "The `$data` array of the documented PHP example, in the same key order. `source` is the PHP single-quoted string exactly (tabs, newlines and trailing spaces included); PHP sends it as a JSON string, not as an array.",
                  "value": {
                    "database": 1,
                    "name": "TestImport",
                    "rebuild": true,
                    "action": "update or add",
                    "keyFields": [
                      "Email"
                    ],
                    "format": "json",
                    "source": "[\n\t\t{ \n\t\t\t\"Email\": \"support@copernica.com\", \n\t\t\t\"Contactpersoon\": \"Jeroen\" \n\t\t}, \n\t\t{ \n\t\t\t\"Email\": \"info@copernica.com\", \n\t\t\t\"Contactpersoon\": \"Danny\" \n\t\t}\n\t]"
                  }
                },
                "phpExampleWithSubprofiles": {
                  "summary": "CDoc \"PHP example with subprofiles\", converted to JSON",
                  "description": "The `$data` array of the documented PHP example with subprofiles, in the same key order. `source` is the PHP single-quoted string exactly (tabs, newlines and trailing spaces included).",
                  "value": {
                    "database": 1,
                    "name": "TestImport",
                    "rebuild": true,
                    "action": "update or add",
                    "keyFields": [
                      "Email",
                      "Order.OrderID"
                    ],
                    "format": "json",
                    "source": "[\n\t\t{ \n\t\t\t\"Email\": \"support@copernica.com\", \n\t\t\t\"Contactpersoon\": \"Jeroen\",\n\t\t\t\"Order.OrderID\": \"00001\", \n\t\t\t\"Order.Status\": \"Completed\" \n\t\t}, \n\t\t{ \n\t\t\t\"Email\": \"info@copernica.com\", \n\t\t\t\"Contactpersoon\": \"Danny\",\n\t\t\t\"Order.OrderID\": \"00001\", \n\t\t\t\"Order.Status\": \"Completed\" \n\t\t}\n\t]"
                  }
                },
                "jsonExample": {
                  "summary": "CDoc \"JSON example\" (also on the live page)",
                  "description": "Verbatim. Note that `rebuild` is the string \"false\" and `source` is an array.",
                  "value": {
                    "database": 1,
                    "name": "import_name",
                    "followups": true,
                    "autostart": true,
                    "rebuild": "false",
                    "action": "update or add",
                    "keyFields": [
                      "email"
                    ],
                    "ignoreEmptyFields": false,
                    "removeMissing": false,
                    "format": "json",
                    "source": [
                      {
                        "email": "email@example.com",
                        "name": "John"
                      },
                      {
                        "email": "email2@example.com",
                        "name": "Jane"
                      }
                    ]
                  }
                }
              }
            }
          }
        },
        "responses": {
          "201": {
            "$ref": "#/components/responses/Created"
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          },
          "default": {
            "$ref": "#/components/responses/UnexpectedError"
          }
        }
      }
    },
    "/import/{id}": {
      "get": {
        "operationId": "getImport",
        "tags": [
          "Imports"
        ],
        "summary": "Get the state of an import job",
        "description": "Returns one import job. The path is singular (`/import/{id}`), unlike `POST /imports`.\n\nCompletion is not documented. `[inferred]` Poll until `lastrun` is not `false` and the processed line count\nequals `totallines`, or until `lasterror` is not `false`; `status` is an open string (only\n`ready for start` is documented).\n",
        "x-profilesync-provenance": {
          "status": "documented",
          "source": "https://github.com/CopernicaMarketingSoftware/Documentation/blob/20c64678957d9837580ea4da974794ddbe6016f0/Publisher/en/restv3/rest-get-import.md",
          "note": "The same page is live at https://www.copernica.com/en/documentation/restv3/rest-get-import. Its field table says processedlines while its JSON example says processedLines; both casings are accepted. [inferred] Import ids are numbers given out in sequence per account (the documented examples and every X-Created seen count up; the order is not documented), and an id that was never given out answers like a missing import. The sync engine relies on this to look for an import whose creation answer was lost among the ids after the last one it knew, tolerating a few missing ids in a row before it concludes that no later import exists."
        },
        "x-profilesync-rate-limits": {
          "status": "unknown",
          "scope": "account",
          "windows": [],
          "note": "Copernica publishes no rate limit (v1 to v4, en and nl docs). HTTP 429 with a Retry-After header is seen only in a third-party client (123lens/copernica-rest-api-client, src/Endpoints/BaseEndpoint.php), so it is unconfirmed. Self-throttle adaptively: honour Retry-After and back off on 429."
        },
        "x-profilesync-retry": {
          "policy": "safe",
          "note": "A read; repeating it cannot change anything."
        },
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "required": true,
            "description": "Numerical id of the import, as returned in the `X-Created` header of `createImport`.",
            "schema": {
              "$ref": "#/components/schemas/NumericString"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The import job.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Import"
                },
                "examples": {
                  "documented": {
                    "summary": "CDoc JSON example (verbatim)",
                    "value": {
                      "ID": "12",
                      "name": "https://www.copernica.com/import/testimport.csv",
                      "type": "add or update",
                      "status": "ready for start",
                      "totallines": "0",
                      "processedLines": "0",
                      "lastrun": false,
                      "nextrun": false,
                      "lasterror": false
                    }
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          },
          "default": {
            "$ref": "#/components/responses/UnexpectedError"
          }
        }
      }
    },
    "/database/{id}/fields": {
      "get": {
        "operationId": "listDatabaseFields",
        "tags": [
          "Database fields"
        ],
        "summary": "List the fields of a database",
        "description": "Returns the database's profile fields in the paging wrapper. Only the paging parameters are supported.",
        "x-profilesync-provenance": {
          "status": "documented",
          "source": "https://github.com/CopernicaMarketingSoftware/Documentation/blob/20c64678957d9837580ea4da974794ddbe6016f0/Publisher/en/restv3/rest-get-database-fields.md",
          "note": "The page has no JSON example. That numbers (ID, length, textlines) come back as strings is seen in the CDoc rest-get-databases.md example and in the 123lens mock used as the response example here."
        },
        "x-profilesync-rate-limits": {
          "status": "unknown",
          "scope": "account",
          "windows": [],
          "note": "Copernica publishes no rate limit (v1 to v4, en and nl docs). HTTP 429 with a Retry-After header is seen only in a third-party client (123lens/copernica-rest-api-client, src/Endpoints/BaseEndpoint.php), so it is unconfirmed. Self-throttle adaptively: honour Retry-After and back off on 429."
        },
        "x-profilesync-retry": {
          "policy": "safe",
          "note": "A read; repeating it cannot change anything."
        },
        "parameters": [
          {
            "$ref": "#/components/parameters/DatabaseIdOrName"
          },
          {
            "$ref": "#/components/parameters/Start"
          },
          {
            "$ref": "#/components/parameters/Limit"
          },
          {
            "$ref": "#/components/parameters/Total"
          }
        ],
        "responses": {
          "200": {
            "description": "One page of fields.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/FieldPage"
                },
                "examples": {
                  "thirdPartyMock": {
                    "summary": "[inferred] 123lens/copernica-rest-api-client tests/Mocks/200-get-database-fields.json (verbatim)",
                    "value": {
                      "start": 0,
                      "limit": 1000,
                      "count": 3,
                      "data": [
                        {
                          "ID": "1",
                          "name": "field1",
                          "type": "integer",
                          "value": "0",
                          "displayed": false,
                          "ordered": false,
                          "length": "50",
                          "textlines": "1",
                          "hidden": false,
                          "index": true
                        },
                        {
                          "ID": "2",
                          "name": "field2",
                          "type": "text",
                          "value": "",
                          "displayed": false,
                          "ordered": false,
                          "length": "36",
                          "textlines": "1",
                          "hidden": true,
                          "index": false
                        },
                        {
                          "ID": "3",
                          "name": "field3",
                          "type": "integer",
                          "value": "0",
                          "displayed": false,
                          "ordered": false,
                          "length": "50",
                          "textlines": "1",
                          "hidden": false,
                          "index": true
                        }
                      ],
                      "total": 3
                    }
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          },
          "default": {
            "$ref": "#/components/responses/UnexpectedError"
          }
        }
      },
      "post": {
        "operationId": "createDatabaseField",
        "tags": [
          "Database fields"
        ],
        "summary": "Add a field to a database",
        "description": "Creates a profile field. The documentation names the database by its numerical ID here (the GET on the same\npath also takes the name). Types `email`, `phone_fax` and `phone_gsm` are allowed once per database.\n",
        "x-profilesync-provenance": {
          "status": "documented",
          "source": "https://github.com/CopernicaMarketingSoftware/Documentation/blob/20c64678957d9837580ea4da974794ddbe6016f0/Publisher/en/restv3/rest-post-database-fields.md",
          "note": "The page says the new id \"is returned\" without naming the header; X-Created is inferred from the official PHP helper, which returns the X-Created value of every POST."
        },
        "x-profilesync-rate-limits": {
          "status": "unknown",
          "scope": "account",
          "windows": [],
          "note": "Copernica publishes no rate limit (v1 to v4, en and nl docs). HTTP 429 with a Retry-After header is seen only in a third-party client (123lens/copernica-rest-api-client, src/Endpoints/BaseEndpoint.php), so it is unconfirmed. Self-throttle adaptively: honour Retry-After and back off on 429."
        },
        "x-profilesync-retry": {
          "policy": "check-first",
          "note": "Before repeating, list the database's fields (listDatabaseFields, every page) and look for a field with the same name. If it exists the first attempt took effect: use its ID and do not repeat. Only repeat when no field of that name exists."
        },
        "parameters": [
          {
            "$ref": "#/components/parameters/DatabaseId"
          }
        ],
        "requestBody": {
          "required": true,
          "description": "The new field. Only `application/json` is modelled (the API also takes form encoding).",
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/CreateDatabaseFieldRequest"
              },
              "examples": {
                "documented": {
                  "summary": "CDoc JSON example (verbatim)",
                  "value": {
                    "name": "text_field",
                    "type": "text",
                    "value": "this is a text field",
                    "displayed": true,
                    "ordered": false,
                    "length": 50,
                    "textlines": 1,
                    "hidden": false,
                    "index": false
                  }
                }
              }
            }
          }
        },
        "responses": {
          "201": {
            "$ref": "#/components/responses/Created"
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          },
          "default": {
            "$ref": "#/components/responses/UnexpectedError"
          }
        }
      }
    },
    "/database/{id}/profiles": {
      "get": {
        "operationId": "listDatabaseProfiles",
        "tags": [
          "Profiles"
        ],
        "summary": "List (and filter) the profiles of a database",
        "description": "Returns profiles in the paging wrapper. `fields[]` selects profiles by field conditions (CDoc\n`rest-fields-parameter.md`); with `dataonly=true` each profile carries only `ID`, `fields`, `interests` and\n`modified`, which is faster.\n",
        "x-profilesync-provenance": {
          "status": "documented",
          "source": "https://github.com/CopernicaMarketingSoftware/Documentation/blob/20c64678957d9837580ea4da974794ddbe6016f0/Publisher/en/restv3/rest-get-database-profiles.md",
          "note": "The fields[] syntax is documented in rest-fields-parameter.md; that the [] must not be percent-encoded comes from a third-party client (rmuit/copernica-api), as does the nextid member of the paging wrapper (123lens mock)."
        },
        "x-profilesync-rate-limits": {
          "status": "unknown",
          "scope": "account",
          "windows": [],
          "note": "Copernica publishes no rate limit (v1 to v4, en and nl docs). HTTP 429 with a Retry-After header is seen only in a third-party client (123lens/copernica-rest-api-client, src/Endpoints/BaseEndpoint.php), so it is unconfirmed. Self-throttle adaptively: honour Retry-After and back off on 429."
        },
        "x-profilesync-retry": {
          "policy": "safe",
          "note": "A read; repeating it cannot change anything."
        },
        "parameters": [
          {
            "$ref": "#/components/parameters/DatabaseId"
          },
          {
            "$ref": "#/components/parameters/Start"
          },
          {
            "$ref": "#/components/parameters/Limit"
          },
          {
            "$ref": "#/components/parameters/Total"
          },
          {
            "name": "fields[]",
            "in": "query",
            "required": false,
            "style": "form",
            "explode": true,
            "description": "Field conditions, all of which must hold; repeat the parameter once per condition:\n`?fields[]=land%3D%3Dnetherlands&fields[]=age%3E16` (CDoc's example). Each item is `<field><operator><value>` with the\noperators `==`, `!=` or `<>` (not equal), `<`, `>`, `<=`, `>=`, `=~` (LIKE) and `!~` (NOT LIKE); LIKE takes\nthe wildcards `%` (any run) and `_` (one character). Besides database fields, `id`, `code` (the secret) and\n`modified` (`YYYY-MM-DD hh:mm:ss`) can be compared.\n\nEncoding: percent-encode the item value (operators included) and send the name as `fields[]`.\n`[inferred]` Copernica reads the query as PHP does, so `fields[0]=`, `fields[1]=` (what `http_build_query`\nwrites, brackets percent-encoded) are items of the same list; the list's keys are ignored\n(rmuit/copernica-api `tests/TestApi.php`). A condition on an unknown field, or one that is not\n`<field><operator><value>` (`Email ==x`, with a space, names the field `Email `), is ignored and the\nlist comes back unfiltered (`tests/ApiBehaviorTest.php`, `testProfileCrud`): check every returned\nprofile against the condition. The pattern below refuses an item with no operator on purpose, although\nthe vendor would ignore it: a filter that silently selects everything is the dangerous kind of typo.\n",
            "schema": {
              "type": "array",
              "items": {
                "type": "string",
                "pattern": "^[^=!<>~]+(?:==|!=|<>|<=|>=|=~|!~|<|>)",
                "x-profilesync-messages": {
                  "pattern": "must be `<field><operator><value>` with one of the operators ==, !=, <>, <, >, <=, >=, =~, !~"
                }
              }
            },
            "examples": {
              "documented": {
                "summary": "CDoc PHP example (`'fields' => array(\"age>16\", \"age<=65\")`)",
                "value": [
                  "age>16",
                  "age<=65"
                ]
              }
            }
          },
          {
            "name": "orderby",
            "in": "query",
            "required": false,
            "description": "Name or ID of the field to sort by, or one of the special values `id` (the default), `random` and `modified`.",
            "schema": {
              "type": "string",
              "minLength": 1,
              "default": "id",
              "examples": [
                "id",
                "modified",
                "country"
              ]
            }
          },
          {
            "name": "order",
            "in": "query",
            "required": false,
            "description": "Sort direction.",
            "schema": {
              "type": "string",
              "enum": [
                "asc",
                "desc"
              ]
            }
          },
          {
            "name": "dataonly",
            "in": "query",
            "required": false,
            "description": "When true, return only `ID`, `fields`, `interests` and `modified` of each profile (faster).",
            "schema": {
              "$ref": "#/components/schemas/PhpBoolean"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "One page of profiles.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ProfilePage"
                },
                "examples": {
                  "thirdPartyMock": {
                    "summary": "[inferred] 123lens/copernica-rest-api-client tests/Mocks/200-get-database-profiles.json (verbatim)",
                    "value": {
                      "start": 0,
                      "limit": 2,
                      "count": 2,
                      "data": [
                        {
                          "ID": "1",
                          "fields": {
                            "field1": "field1",
                            "field2": "field2",
                            "field3": "field3"
                          },
                          "interests": [
                            "optin_common",
                            "optin_birthday",
                            "optin_service",
                            "optin_product"
                          ],
                          "database": "1",
                          "secret": "secret1",
                          "created": "2013-06-12 21:04:22",
                          "modified": "2022-01-10 02:10:03",
                          "removed": false
                        },
                        {
                          "ID": "2",
                          "fields": {
                            "field1": "field1",
                            "field2": "field2",
                            "field3": "field3"
                          },
                          "interests": [
                            "optin_common",
                            "optin_birthday",
                            "optin_service",
                            "optin_product"
                          ],
                          "database": "1",
                          "secret": "secret2",
                          "created": "2013-06-12 21:04:22",
                          "modified": "2022-01-10 02:10:03",
                          "removed": false
                        }
                      ],
                      "nextid": 3,
                      "total": 100
                    }
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          },
          "default": {
            "$ref": "#/components/responses/UnexpectedError"
          }
        }
      }
    },
    "/databases": {
      "get": {
        "operationId": "listDatabases",
        "tags": [
          "Databases"
        ],
        "summary": "List the databases of the account",
        "description": "Returns the account's databases in the paging wrapper. Only the paging parameters are supported.",
        "x-profilesync-provenance": {
          "status": "documented",
          "source": "https://github.com/CopernicaMarketingSoftware/Documentation/blob/20c64678957d9837580ea4da974794ddbe6016f0/Publisher/en/restv3/rest-get-databases.md",
          "note": "The page calls fields, interests and collections \"arrays\" but its example shows paging wrappers, which is what is modelled. Its intentions are \"either 1 or null\", while the 123lens mock shows false."
        },
        "x-profilesync-rate-limits": {
          "status": "unknown",
          "scope": "account",
          "windows": [],
          "note": "Copernica publishes no rate limit (v1 to v4, en and nl docs). HTTP 429 with a Retry-After header is seen only in a third-party client (123lens/copernica-rest-api-client, src/Endpoints/BaseEndpoint.php), so it is unconfirmed. Self-throttle adaptively: honour Retry-After and back off on 429."
        },
        "x-profilesync-retry": {
          "policy": "safe",
          "note": "A read; repeating it cannot change anything."
        },
        "parameters": [
          {
            "$ref": "#/components/parameters/Start"
          },
          {
            "$ref": "#/components/parameters/Limit"
          },
          {
            "$ref": "#/components/parameters/Total"
          }
        ],
        "responses": {
          "200": {
            "description": "One page of databases.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/DatabasePage"
                },
                "examples": {
                  "thirdPartyMock": {
                    "summary": "[inferred] 123lens/copernica-rest-api-client tests/Mocks/200-get-list-databases.json (verbatim)",
                    "value": {
                      "start": 0,
                      "limit": 1000,
                      "count": 2,
                      "data": [
                        {
                          "ID": "1",
                          "name": "PHPUnit_Test_Archived",
                          "description": "Database 1",
                          "archived": true,
                          "created": "2014-06-06 08:21:11",
                          "fields": {
                            "start": 0,
                            "limit": 1000,
                            "count": 2,
                            "data": [
                              {
                                "ID": "1",
                                "name": "companyname",
                                "type": "text",
                                "value": "",
                                "displayed": false,
                                "ordered": false,
                                "length": "200",
                                "textlines": "1",
                                "hidden": false,
                                "index": false
                              },
                              {
                                "ID": "2",
                                "name": "aanhef",
                                "type": "text",
                                "value": "",
                                "displayed": false,
                                "ordered": false,
                                "length": "50",
                                "textlines": "1",
                                "hidden": false,
                                "index": false
                              }
                            ],
                            "total": 2
                          },
                          "interests": {
                            "start": 0,
                            "limit": 1000,
                            "count": 0,
                            "data": [],
                            "total": 0
                          },
                          "collections": {
                            "start": 0,
                            "limit": 1000,
                            "count": 0,
                            "data": [],
                            "total": 0
                          },
                          "intentions": {
                            "email": false,
                            "sms": false,
                            "fax": false,
                            "pdf": false
                          }
                        },
                        {
                          "ID": "2",
                          "name": "PHPUnit_Test",
                          "description": "Database 2",
                          "archived": false,
                          "created": "2013-04-17 12:05:04",
                          "fields": {
                            "start": 0,
                            "limit": 1000,
                            "count": 3,
                            "data": [
                              {
                                "ID": "1",
                                "name": "companyname",
                                "type": "text",
                                "value": "",
                                "displayed": false,
                                "ordered": false,
                                "length": "200",
                                "textlines": "1",
                                "hidden": false,
                                "index": false
                              },
                              {
                                "ID": "2",
                                "name": "aanhef",
                                "type": "text",
                                "value": "",
                                "displayed": false,
                                "ordered": false,
                                "length": "50",
                                "textlines": "1",
                                "hidden": false,
                                "index": false
                              },
                              {
                                "ID": "3",
                                "name": "customer_id",
                                "type": "integer",
                                "value": "0",
                                "displayed": false,
                                "ordered": false,
                                "length": "50",
                                "textlines": "1",
                                "hidden": false,
                                "index": true
                              }
                            ],
                            "total": 3
                          },
                          "interests": {
                            "start": 0,
                            "limit": 1000,
                            "count": 4,
                            "data": [
                              {
                                "ID": "2",
                                "name": "optin_common",
                                "group": "Newsletter"
                              },
                              {
                                "ID": "3",
                                "name": "optin_birthday",
                                "group": "Newsletter"
                              },
                              {
                                "ID": "6",
                                "name": "optin_service",
                                "group": "Newsletter"
                              },
                              {
                                "ID": "7",
                                "name": "optin_product",
                                "group": "Newsletter"
                              }
                            ],
                            "total": 4
                          },
                          "collections": {
                            "start": 0,
                            "limit": 1000,
                            "count": 1,
                            "data": [
                              {
                                "ID": "69",
                                "name": "Collection1",
                                "database": "2",
                                "fields": {
                                  "start": 0,
                                  "limit": 100,
                                  "count": 2,
                                  "data": [
                                    {
                                      "ID": "68",
                                      "name": "group_id",
                                      "type": "integer",
                                      "value": "0",
                                      "displayed": true,
                                      "ordered": false,
                                      "length": "50",
                                      "textlines": "1",
                                      "hidden": false,
                                      "index": true
                                    },
                                    {
                                      "ID": "69",
                                      "name": "title",
                                      "type": "text",
                                      "value": "",
                                      "displayed": true,
                                      "ordered": false,
                                      "length": "50",
                                      "textlines": "1",
                                      "hidden": false,
                                      "index": false
                                    }
                                  ],
                                  "total": 2
                                },
                                "intentions": {
                                  "email": false,
                                  "sms": false,
                                  "fax": false,
                                  "pdf": false
                                }
                              }
                            ],
                            "total": 1
                          },
                          "intentions": {
                            "email": false,
                            "sms": false,
                            "fax": false,
                            "pdf": false
                          }
                        }
                      ],
                      "total": 2
                    }
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          },
          "default": {
            "$ref": "#/components/responses/UnexpectedError"
          }
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "accessToken": {
        "type": "apiKey",
        "in": "query",
        "name": "access_token",
        "description": "The API access token, sent as the `access_token` query parameter on every v3 call (CDoc `rest-requests.md`,\n`setting-up-copernica-rest-service.md`). It comes from the Copernica dashboard or from the OAuth2 exchange at\n`https://api.copernica.com/v3/token` and stays valid until revoked; `GET /identity` checks it.\n`Authorization: Bearer` is documented only for REST **v4** (a 24-hour JWT from `https://authenticate.copernica.com`)\nand is not modelled for v3. An invalid token answers 400 with `{\"error\":{\"message\":\"Invalid access token\"}}`.\n"
      }
    },
    "parameters": {
      "DatabaseId": {
        "name": "id",
        "in": "path",
        "required": true,
        "description": "Numerical ID of the database.",
        "schema": {
          "$ref": "#/components/schemas/NumericString"
        }
      },
      "DatabaseIdOrName": {
        "name": "id",
        "in": "path",
        "required": true,
        "description": "Numerical ID or name of the database (this operation documents both).",
        "schema": {
          "type": "string",
          "minLength": 1
        }
      },
      "Start": {
        "name": "start",
        "in": "query",
        "required": false,
        "description": "Paging offset: the position of the first object to return (CDoc `rest-paging.md`). A large `start` gets slow; filter on `id` with `fields[]` instead where the operation supports it.",
        "schema": {
          "type": "integer",
          "minimum": 0
        }
      },
      "Limit": {
        "name": "limit",
        "in": "query",
        "required": false,
        "description": "Maximum number of objects to return; 100 when absent, at most 1000 (CDoc `rest-paging.md`).",
        "schema": {
          "type": "integer",
          "minimum": 0,
          "maximum": 1000,
          "default": 100
        }
      },
      "Total": {
        "name": "total",
        "in": "query",
        "required": false,
        "description": "Whether to count the total number of objects. `false` skips the count and makes the call faster; the response then has no `total` member.",
        "schema": {
          "$ref": "#/components/schemas/PhpBoolean"
        }
      }
    },
    "headers": {
      "XCreated": {
        "description": "`[inferred]` The id of the created entity, digits only. The official PHP helper returns this header's value from every POST and PUT, and `rest-put-database-profiles.md` names it; the import and field pages do not. A client that saw no X-Created does not know whether the call took effect.",
        "required": false,
        "schema": {
          "$ref": "#/components/schemas/NumericString"
        },
        "example": "12"
      },
      "XLocation": {
        "description": "`[inferred]` URL of the created entity. `rest-requests.md` documents `X-location` on POST and PUT (its example is `https://api.copernica.com/v1/profile/$id`, with a version that need not match v3); that it is sent for imports and fields is not documented.",
        "required": false,
        "schema": {
          "type": "string"
        }
      },
      "RetryAfter": {
        "description": "`[inferred]` Seconds to wait (or an HTTP date) before repeating. Read by the 123lens client on 429; not documented by Copernica.",
        "required": false,
        "schema": {
          "type": "string"
        }
      }
    },
    "responses": {
      "Created": {
        "description": "Created. POST answers 201 with no response body (CDoc `rest-requests.md`); the id of the new entity is in `X-Created`.",
        "headers": {
          "X-Created": {
            "$ref": "#/components/headers/XCreated"
          },
          "X-location": {
            "$ref": "#/components/headers/XLocation"
          }
        }
      },
      "BadRequest": {
        "description": "The call failed; the message is in the body (CDoc `rest-requests.md`). `[inferred]` Practically every Copernica error is a 400, an invalid access token included (rmuit/copernica-api behaviour tests). Messages seen: `Invalid access token`, `Invalid method`, `No entity with supplied ID`, `No database with supplied ID`, `Invalid data provided`.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/ErrorBody"
            },
            "examples": {
              "invalidToken": {
                "summary": "[inferred] Message observed by rmuit/copernica-api",
                "value": {
                  "error": {
                    "message": "Invalid access token"
                  }
                }
              }
            }
          }
        }
      },
      "TooManyRequests": {
        "description": "`[inferred]` Rate limited. Copernica documents no 429; the 123lens client handles one by reading Retry-After. The body shape is assumed to be the usual error body.",
        "headers": {
          "Retry-After": {
            "$ref": "#/components/headers/RetryAfter"
          }
        },
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/ErrorBody"
            }
          }
        }
      },
      "UnexpectedError": {
        "description": "Any other status (for example 301 for a moved call, or a 5xx). `[inferred]` An error body, when present, has the usual shape.",
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/ErrorBody"
            }
          }
        }
      }
    },
    "schemas": {
      "ErrorBody": {
        "type": "object",
        "description": "The error body of a failed call. Sent with HTTP 400 almost always, an invalid access token included (`[inferred]` from rmuit/copernica-api behaviour tests against the live API).",
        "required": [
          "error"
        ],
        "properties": {
          "error": {
            "type": "object",
            "required": [
              "message"
            ],
            "properties": {
              "message": {
                "type": "string"
              }
            }
          }
        },
        "examples": [
          {
            "error": {
              "message": "No database with supplied ID"
            }
          }
        ]
      },
      "NumericString": {
        "type": "string",
        "description": "A non-negative integer written as a JSON string, the way Copernica returns IDs and counts.",
        "pattern": "^[0-9]+$"
      },
      "Timestamp": {
        "type": "string",
        "description": "A local timestamp in `YYYY-MM-DD hh:mm:ss` form.",
        "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"
      },
      "PhpBoolean": {
        "type": [
          "boolean",
          "string"
        ],
        "description": "A boolean, in a query or a request body. The docs write `true` and `false`. `[inferred]` Copernica is a PHP service and reads any text as a boolean: `true` and `yes` (any case) and numbers of 1 or more are true, everything else (`0`, the empty text, `false`, `no`) is false (rmuit/copernica-api `tests/TestApi.php`, `isBooleanTrue`). PHP clients write `true` as `1` and `false` as `0` or nothing (`http_build_query`, form bodies). The spellings clients actually write are accepted; other text is refused so that a typo such as `ture` is caught instead of silently read as false.",
        "pattern": "^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee]|[Yy][Ee][Ss]|[Nn][Oo]|1|0|)$",
        "x-profilesync-messages": {
          "pattern": "must be a boolean, or one of the texts true, false, yes, no, 1, 0 or empty"
        }
      },
      "ImportAction": {
        "type": "string",
        "description": "What the import does with each row.",
        "enum": [
          "add",
          "update",
          "update or add",
          "ignore or add",
          "delete"
        ]
      },
      "ImportSourceRow": {
        "type": "object",
        "description": "One row of inline import data: column name to scalar value. Subprofile columns are named `Collection.Field`. The keys must appear in the same order in every row (documented; not expressible in JSON Schema).",
        "additionalProperties": {
          "type": [
            "string",
            "number",
            "boolean",
            "null"
          ]
        }
      },
      "CreateImportRequest": {
        "type": "object",
        "description": "Body of `createImport`. Exactly one of `source` (inline data) and `location` (URL of the file) is required.\n`delimiter` is required when `source` is a string with `format: csv`. Unknown members are rejected so that\ntypos are caught before they reach Copernica. Defaults are the documented ones (bold on the vendor page).\n",
        "additionalProperties": false,
        "required": [
          "database"
        ],
        "properties": {
          "database": {
            "type": [
              "integer",
              "string"
            ],
            "description": "ID of the target database. The docs show a JSON integer. `[inferred]` A numeric string is accepted too: Copernica returns IDs as strings (`\"ID\":\"3144\"`), form encoding can only send strings, and the PHP server treats both alike. A client should send an integer.",
            "minimum": 1,
            "pattern": "^[1-9][0-9]*$"
          },
          "name": {
            "type": "string",
            "description": "Name of the import."
          },
          "followups": {
            "$ref": "#/components/schemas/PhpBoolean",
            "description": "Execute follow-ups on the imported (sub)profiles.",
            "default": false
          },
          "autostart": {
            "$ref": "#/components/schemas/PhpBoolean",
            "description": "Start the import immediately.",
            "default": true
          },
          "rebuild": {
            "description": "Rebuild the selections after the import. The documented JSON example sends the string `\"false\"`, so the strings `\"true\"` and `\"false\"` are accepted as well as booleans.",
            "$ref": "#/components/schemas/PhpBoolean",
            "default": false
          },
          "action": {
            "$ref": "#/components/schemas/ImportAction"
          },
          "keyFields": {
            "type": "array",
            "description": "Columns that identify an existing (sub)profile, for example `[\"Email\"]`. A subprofile key is written `Collection.Field`, for example `[\"Email\", \"Order.OrderID\"]`.",
            "items": {
              "type": "string",
              "pattern": "^[^.]+(?:\\.[^.]+)?$",
              "x-profilesync-messages": {
                "pattern": "must be a field name, or `Collection.Field` for a subprofile field"
              }
            }
          },
          "ignoreEmptyFields": {
            "$ref": "#/components/schemas/PhpBoolean",
            "description": "Keep the stored value where the imported value is empty.",
            "default": false
          },
          "removeMissing": {
            "$ref": "#/components/schemas/PhpBoolean",
            "description": "Remove the (sub)profiles of the database that are not in the import.",
            "default": false
          },
          "deleteTarget": {
            "type": "string",
            "description": "With `action` `delete`, what to remove.",
            "enum": [
              "profile",
              "subprofile"
            ],
            "default": "profile"
          },
          "location": {
            "type": "string",
            "format": "uri",
            "description": "URL of the import file at an external location. Use instead of `source`."
          },
          "source": {
            "description": "Inline import data, instead of `location`: an array of rows, or a string holding CSV or JSON text (then set `format`, and `delimiter` for CSV).",
            "oneOf": [
              {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/ImportSourceRow"
                }
              },
              {
                "type": "string"
              }
            ]
          },
          "format": {
            "type": "string",
            "description": "Format of `source` when it is a string. `[inferred]` The format assumed when it is absent is not documented, so a client always sets it for a string `source`.",
            "enum": [
              "csv",
              "json"
            ]
          },
          "delimiter": {
            "type": "string",
            "description": "Column delimiter of CSV data (a tab, a comma or a semicolon). Required for CSV, non-array input.",
            "enum": [
              "\t",
              ",",
              ";"
            ]
          }
        },
        "allOf": [
          {
            "description": "Exactly one of `source` and `location`.",
            "x-profilesync-messages": {
              "oneOf": "give exactly one of `source` (inline data) and `location` (URL of the file)"
            },
            "oneOf": [
              {
                "required": [
                  "source"
                ]
              },
              {
                "required": [
                  "location"
                ]
              }
            ]
          },
          {
            "description": "A string `source` in CSV format needs a `delimiter`.",
            "if": {
              "required": [
                "source",
                "format"
              ],
              "properties": {
                "source": {
                  "type": "string"
                },
                "format": {
                  "const": "csv"
                }
              }
            },
            "then": {
              "x-profilesync-messages": {
                "required": "is required when `source` is a string with `format` csv"
              },
              "required": [
                "delimiter"
              ],
              "properties": {
                "delimiter": {
                  "type": "string"
                }
              }
            }
          }
        ]
      },
      "Import": {
        "type": "object",
        "description": "An import job. Counts come back as strings; `lastrun`, `nextrun` and `lasterror` are `false` when there is none. The processed-line count is named `processedlines` in the field table and `processedLines` in the documented example; either casing is accepted (at least one is present).",
        "required": [
          "ID",
          "name",
          "type",
          "status",
          "totallines",
          "lastrun",
          "nextrun",
          "lasterror"
        ],
        "allOf": [
          {
            "description": "At least one casing of the processed-line count.",
            "x-profilesync-messages": {
              "anyOf": "needs the processed-line count, as `processedlines` or `processedLines`"
            },
            "anyOf": [
              {
                "required": [
                  "processedlines"
                ]
              },
              {
                "required": [
                  "processedLines"
                ]
              }
            ]
          }
        ],
        "properties": {
          "ID": {
            "$ref": "#/components/schemas/NumericString"
          },
          "name": {
            "type": "string",
            "description": "Name of the import (the example shows the file URL)."
          },
          "type": {
            "type": "string",
            "description": "The import's action, in the server's own wording (the documented example says `add or update` where the request enum says `update or add`), so it is an open string."
          },
          "status": {
            "type": "string",
            "description": "Job status. Only `ready for start` is documented; treat it as an open string.",
            "examples": [
              "ready for start"
            ]
          },
          "totallines": {
            "$ref": "#/components/schemas/NumericString"
          },
          "processedlines": {
            "$ref": "#/components/schemas/NumericString"
          },
          "processedLines": {
            "$ref": "#/components/schemas/NumericString"
          },
          "lastrun": {
            "description": "When the import last finished, or `false`. `[inferred]` The docs give no format; expect `YYYY-MM-DD hh:mm:ss` as elsewhere in the API.",
            "oneOf": [
              {
                "type": "string"
              },
              {
                "const": false
              }
            ]
          },
          "nextrun": {
            "description": "When the import will next start, or `false`.",
            "oneOf": [
              {
                "type": "string"
              },
              {
                "const": false
              }
            ]
          },
          "lasterror": {
            "description": "Text of the last error, or `false`.",
            "oneOf": [
              {
                "type": "string"
              },
              {
                "const": false
              }
            ]
          }
        }
      },
      "FieldType": {
        "type": "string",
        "description": "Type of a profile field: `integer`, `float`, `text`, `big` (large text), `select` (choices separated by newlines, a trailing `*` marks the default), `foreign_key` (points at another profile), `date` (mandatory) and `empty_date` (optional), `datetime` and `empty_datetime`, `email`, `phone_fax` and `phone_gsm` (one of each per database). `[inferred]` `phone` is not in the docs; it is in the 123lens client's FieldType enum.",
        "enum": [
          "integer",
          "float",
          "date",
          "empty_date",
          "datetime",
          "empty_datetime",
          "text",
          "email",
          "phone",
          "phone_fax",
          "phone_gsm",
          "select",
          "big",
          "foreign_key"
        ]
      },
      "Field": {
        "type": "object",
        "description": "A profile field of a database. The example is the first field of the CDoc `rest-get-databases.md` example.",
        "required": [
          "ID",
          "name",
          "type",
          "value",
          "displayed",
          "ordered",
          "length",
          "textlines",
          "hidden",
          "index"
        ],
        "properties": {
          "ID": {
            "$ref": "#/components/schemas/NumericString"
          },
          "name": {
            "type": "string"
          },
          "type": {
            "$ref": "#/components/schemas/FieldType"
          },
          "value": {
            "type": "string",
            "description": "Default value, as a string (also for numeric fields, e.g. `\"0\"`)."
          },
          "displayed": {
            "type": "boolean",
            "description": "Shown in lists and grids of the user interface."
          },
          "ordered": {
            "type": "boolean",
            "description": "Profiles are ordered by this field."
          },
          "length": {
            "$ref": "#/components/schemas/NumericString"
          },
          "textlines": {
            "$ref": "#/components/schemas/NumericString"
          },
          "hidden": {
            "type": "boolean",
            "description": "Never shown in the user interface."
          },
          "index": {
            "type": "boolean",
            "description": "The field is indexed."
          }
        },
        "examples": [
          {
            "ID": "20989",
            "name": "name",
            "type": "text",
            "value": "",
            "displayed": true,
            "ordered": false,
            "length": "255",
            "textlines": "3",
            "hidden": false,
            "index": false
          }
        ]
      },
      "CreateDatabaseFieldRequest": {
        "type": "object",
        "description": "Body of `createDatabaseField`. Unknown members are rejected so that typos are caught. `[inferred]` An `integer` or `float` field needs a default `value` (rmuit/copernica-api's emulator, built against the live API, rejects one without); this is enforced here.",
        "additionalProperties": false,
        "required": [
          "name"
        ],
        "properties": {
          "name": {
            "type": "string",
            "minLength": 1,
            "description": "Name of the new field."
          },
          "type": {
            "$ref": "#/components/schemas/FieldType"
          },
          "value": {
            "type": [
              "string",
              "number"
            ],
            "description": "Default value. For `select`, the choices separated by newline characters with a trailing `*` on the default (the CDoc PHP example writes `'A\\nB\\nC*'` in single quotes, which in PHP sends a literal backslash-n rather than a newline)."
          },
          "displayed": {
            "$ref": "#/components/schemas/PhpBoolean",
            "description": "Show the field in lists and grids of the user interface."
          },
          "ordered": {
            "$ref": "#/components/schemas/PhpBoolean",
            "description": "Order profiles by this field."
          },
          "length": {
            "$ref": "#/components/schemas/UnsignedIntegerInput"
          },
          "textlines": {
            "$ref": "#/components/schemas/UnsignedIntegerInput"
          },
          "hidden": {
            "$ref": "#/components/schemas/PhpBoolean",
            "description": "Never show the field in the user interface."
          },
          "index": {
            "$ref": "#/components/schemas/PhpBoolean",
            "description": "Index the field."
          },
          "lock": {
            "$ref": "#/components/schemas/PhpBoolean",
            "description": "The field can be modified or deleted only through the API."
          }
        },
        "allOf": [
          {
            "description": "`[inferred]` An integer or float field needs a default value.",
            "if": {
              "required": [
                "type"
              ],
              "properties": {
                "type": {
                  "enum": [
                    "integer",
                    "float"
                  ]
                }
              }
            },
            "then": {
              "x-profilesync-messages": {
                "required": "is required (the default value) for an integer or float field"
              },
              "required": [
                "value"
              ],
              "properties": {
                "value": {
                  "type": [
                    "string",
                    "number"
                  ]
                }
              }
            }
          }
        ]
      },
      "UnsignedIntegerInput": {
        "type": [
          "integer",
          "string"
        ],
        "description": "A non-negative integer in a request. The docs send JSON integers. `[inferred]` Digit strings are accepted too, since Copernica returns these numbers as strings and a value read back may be sent again.",
        "minimum": 0,
        "pattern": "^[0-9]+$"
      },
      "Profile": {
        "type": "object",
        "description": "A profile. With `dataonly=true` only `ID`, `fields`, `interests` and `modified` are present. The example is CDoc's (`rest-get-database-profiles.md`) with one trailing comma removed, which made it invalid JSON.",
        "required": [
          "ID",
          "fields",
          "interests",
          "modified"
        ],
        "properties": {
          "ID": {
            "$ref": "#/components/schemas/NumericString"
          },
          "fields": {
            "type": "object",
            "description": "Field name to value; every value is a string.",
            "additionalProperties": {
              "type": "string"
            }
          },
          "interests": {
            "type": "array",
            "description": "Names of the profile's interests.",
            "items": {
              "type": "string"
            }
          },
          "database": {
            "$ref": "#/components/schemas/NumericString"
          },
          "secret": {
            "type": "string",
            "description": "The profile's secret code (the `code` special field of `fields[]`)."
          },
          "created": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "modified": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "removed": {
            "type": [
              "boolean",
              "string"
            ],
            "description": "`false` for a live profile. `[inferred]` rmuit/copernica-api saw removed profiles returned with a value other than `false`; its type is not documented."
          }
        },
        "examples": [
          {
            "ID": "18381",
            "fields": {
              "name": "Test",
              "email": "test@example.com"
            },
            "interests": [
              "baseball",
              "soccer"
            ],
            "database": "7616",
            "secret": "e5903b43c08g011f7a1e1f2644f618be",
            "created": "2013-01-06 14:19:51",
            "modified": "2019-02-21 13:26:21",
            "removed": false
          }
        ]
      },
      "Interest": {
        "type": "object",
        "description": "An interest of a database (as embedded in `Database`).",
        "required": [
          "ID",
          "name",
          "group"
        ],
        "properties": {
          "ID": {
            "$ref": "#/components/schemas/NumericString"
          },
          "name": {
            "type": "string"
          },
          "group": {
            "type": "string"
          }
        }
      },
      "Intentions": {
        "type": "object",
        "description": "Which channels the database or collection is intended for. The docs say each is \"either 1 or null\"; the 123lens mock shows `false`. All three spellings are accepted.",
        "properties": {
          "email": {
            "type": [
              "integer",
              "boolean",
              "null"
            ]
          },
          "sms": {
            "type": [
              "integer",
              "boolean",
              "null"
            ]
          },
          "fax": {
            "type": [
              "integer",
              "boolean",
              "null"
            ]
          },
          "pdf": {
            "type": [
              "integer",
              "boolean",
              "null"
            ]
          }
        }
      },
      "Collection": {
        "type": "object",
        "description": "A collection (subprofile table) of a database, as embedded in `Database`.",
        "required": [
          "ID",
          "name",
          "database",
          "fields"
        ],
        "properties": {
          "ID": {
            "$ref": "#/components/schemas/NumericString"
          },
          "name": {
            "type": "string"
          },
          "database": {
            "$ref": "#/components/schemas/NumericString"
          },
          "fields": {
            "$ref": "#/components/schemas/FieldPage"
          },
          "intentions": {
            "$ref": "#/components/schemas/Intentions"
          }
        }
      },
      "Database": {
        "type": "object",
        "description": "A database. `fields`, `interests` and `collections` are paging wrappers (the docs call them arrays, their example shows wrappers). `intentions` is listed by the docs but missing from their example, so it is optional. The example is CDoc's (`rest-get-databases.md`) with one trailing comma removed, which made it invalid JSON.",
        "required": [
          "ID",
          "name",
          "description",
          "archived",
          "created",
          "fields",
          "interests",
          "collections"
        ],
        "properties": {
          "ID": {
            "$ref": "#/components/schemas/NumericString"
          },
          "name": {
            "type": "string"
          },
          "description": {
            "type": "string"
          },
          "archived": {
            "type": "boolean"
          },
          "created": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "fields": {
            "$ref": "#/components/schemas/FieldPage"
          },
          "interests": {
            "$ref": "#/components/schemas/InterestPage"
          },
          "collections": {
            "$ref": "#/components/schemas/CollectionPage"
          },
          "intentions": {
            "$ref": "#/components/schemas/Intentions"
          }
        },
        "examples": [
          {
            "ID": "3144",
            "name": "Test database",
            "description": "This is a test database.",
            "archived": false,
            "created": "2018-03-08 10:47:01",
            "fields": {
              "start": 0,
              "limit": 1000,
              "count": 3,
              "data": [
                {
                  "ID": "20989",
                  "name": "name",
                  "type": "text",
                  "value": "",
                  "displayed": true,
                  "ordered": false,
                  "length": "255",
                  "textlines": "3",
                  "hidden": false,
                  "index": false
                },
                {
                  "ID": "20990",
                  "name": "birthday",
                  "type": "date",
                  "value": "2018-03-16",
                  "displayed": true,
                  "ordered": false,
                  "length": "100",
                  "textlines": "3",
                  "hidden": false,
                  "index": false
                },
                {
                  "ID": "20991",
                  "name": "email",
                  "type": "email",
                  "value": "bla@bla.nl",
                  "displayed": true,
                  "ordered": false,
                  "length": "100",
                  "textlines": "3",
                  "hidden": false,
                  "index": false
                }
              ],
              "total": 3
            },
            "interests": {
              "start": 0,
              "limit": 1000,
              "count": 2,
              "data": [
                {
                  "ID": "3053",
                  "name": "soccer",
                  "group": "sports"
                },
                {
                  "ID": "3054",
                  "name": "baseball",
                  "group": "sport"
                }
              ],
              "total": 2
            },
            "collections": {
              "start": 0,
              "limit": 1000,
              "count": 1,
              "data": [
                {
                  "ID": "20981",
                  "name": "Orders",
                  "database": "3144",
                  "fields": {
                    "start": 0,
                    "limit": 100,
                    "count": 2,
                    "data": [
                      {
                        "ID": "9474",
                        "name": "email",
                        "type": "email",
                        "value": "test@copernica.nl",
                        "displayed": true,
                        "ordered": false,
                        "length": "100",
                        "textlines": "0",
                        "hidden": false,
                        "index": false
                      },
                      {
                        "ID": "9475",
                        "name": "order_number",
                        "type": "integer",
                        "value": "0",
                        "displayed": true,
                        "ordered": false,
                        "length": "100",
                        "textlines": "0",
                        "hidden": false,
                        "index": false
                      }
                    ],
                    "total": 2
                  }
                }
              ],
              "total": 1
            }
          }
        ]
      },
      "PageMeta": {
        "type": "object",
        "description": "The members every paging wrapper has (CDoc `rest-paging.md`). `count` is the number of objects in `data`; `total` is absent when the call was made with `total=false`.",
        "required": [
          "start",
          "limit",
          "count"
        ],
        "properties": {
          "start": {
            "type": "integer",
            "minimum": 0
          },
          "limit": {
            "type": "integer",
            "minimum": 0
          },
          "count": {
            "type": "integer",
            "minimum": 0
          },
          "total": {
            "type": "integer",
            "minimum": 0
          }
        }
      },
      "FieldPage": {
        "description": "Paging wrapper holding fields.",
        "allOf": [
          {
            "$ref": "#/components/schemas/PageMeta"
          },
          {
            "type": "object",
            "required": [
              "data"
            ],
            "properties": {
              "data": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/Field"
                }
              }
            }
          }
        ]
      },
      "ProfilePage": {
        "description": "Paging wrapper holding profiles.",
        "allOf": [
          {
            "$ref": "#/components/schemas/PageMeta"
          },
          {
            "type": "object",
            "required": [
              "data"
            ],
            "properties": {
              "data": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/Profile"
                }
              },
              "nextid": {
                "type": "integer",
                "description": "`[inferred]` Present in the 123lens mock of this call, not in the docs; apparently the ID to continue from. Do not rely on it."
              }
            }
          }
        ]
      },
      "DatabasePage": {
        "description": "Paging wrapper holding databases.",
        "allOf": [
          {
            "$ref": "#/components/schemas/PageMeta"
          },
          {
            "type": "object",
            "required": [
              "data"
            ],
            "properties": {
              "data": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/Database"
                }
              }
            }
          }
        ]
      },
      "InterestPage": {
        "description": "Paging wrapper holding interests.",
        "allOf": [
          {
            "$ref": "#/components/schemas/PageMeta"
          },
          {
            "type": "object",
            "required": [
              "data"
            ],
            "properties": {
              "data": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/Interest"
                }
              }
            }
          }
        ]
      },
      "CollectionPage": {
        "description": "Paging wrapper holding collections.",
        "allOf": [
          {
            "$ref": "#/components/schemas/PageMeta"
          },
          {
            "type": "object",
            "required": [
              "data"
            ],
            "properties": {
              "data": {
                "type": "array",
                "items": {
                  "$ref": "#/components/schemas/Collection"
                }
              }
            }
          }
        ]
      }
    }
  }
}
