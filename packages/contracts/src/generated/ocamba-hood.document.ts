/**
 * This file was auto-generated from openapi/ocamba-hood.yaml by packages/contracts/scripts/generate.ts.
 * Do not make direct changes to the file: edit the spec and run `pnpm generate`.
 */
import type { OpenApiDocument } from "../OpenApi.ts"

/** The Ocamba Hood spec, parsed: what the validators compile and the routers match. */
export const document: OpenApiDocument = {
  "openapi": "3.1.0",
  "info": {
    "title": "Ocamba Hood API (profilesync subset)",
    "version": "1.0",
    "summary": "The Ocamba Hood v1 endpoints profilesync calls, written by hand from the vendor's public docs.",
    "description": "Hand-written description of the part of the Ocamba Hood API v1 that profilesync uses: the profile file import\n(upload, read, commit, per-profile report), profile properties (list, create, update) and resync.\nIt is the source for the generated types, the Ajv validators, the vendor simulator and the proxy allow-list.\n\n**Provenance.** Every operation carries `x-profilesync-provenance`. Facts the vendor does not document are\nmarked `[inferred]` in the description of the schema, property, parameter or response, with the reason.\nVendor examples are copied verbatim from the docs pages named in each operation's provenance.\n\n**Data conventions** (from the vendor's examples): ids are decimal strings (`\"1000105\"`), import and task ids are\nUUIDs, booleans are the integers `0`/`1`, and timestamps are `YYYY-MM-DD HH:MM:SS` in GMT.\n\n**Errors.** Every error body is `{code, title, message?, trace_id?}` (`ErrorBody`).\n\n**Rate limits.** Limits are counted per account in fixed windows; every operation here is tier C: 10 requests\nper second and 150 per minute, both at once. Responses under the limit carry `X-RateLimit-Limit`,\n`X-RateLimit-Remaining` and `X-RateLimit-Reset`. A 429 does not carry them; it carries `Retry-After` (integer\nseconds) in most cases, and `Retry-After: -1` means the parallel-concurrency limit was hit.\n\n**List conventions** (documented for Ocamba list endpoints): the response is `{total, items}`;\n`page=N[,M]` is page N (1-based) with M items per page (default size depends on the resource);\n`sort=f1,-f2` (a leading `-` sorts descending); `fields=f1,f2` is a projection and wins over `view`;\n`view=full|default`; `q` searches, `q_fields` limits the searched fields.\nA filter is `<field>=[op:]value`. Operators: `eq` equal (the default when no operator is given),\n`neq` not equal, `gt`, `gte`, `lt`, `lte` comparisons, `in`/`nin` in / not in a comma-separated list,\nand `is`, `isn`, `r`, `rf`, `rl`, `rr`, which our sources list without their meaning; range operators take\n`start,end`. [inferred] `is`/`isn` are null / not-null tests and `r`, `rf`, `rl`, `rr` are range variants;\nprofilesync should not use these six until they are checked.\n"
  },
  "servers": [
    {
      "url": "https://api.ocamba.com/v1/hood",
      "description": "Production"
    }
  ],
  "security": [
    {
      "bearerAuth": []
    }
  ],
  "tags": [
    {
      "name": "Profile imports",
      "description": "File import of profiles (csv or xlsx) in two steps, upload then commit, and its per-profile report."
    },
    {
      "name": "Profile properties",
      "description": "The properties (fields) a profile can carry, system and custom."
    },
    {
      "name": "Resync",
      "description": "Re-synchronisation of integrations and conversions."
    }
  ],
  "paths": {
    "/profiles/imports": {
      "post": {
        "operationId": "createProfileImport",
        "tags": [
          "Profile imports"
        ],
        "summary": "Upload a file and start an import session",
        "description": "Starts an import session from a csv or xlsx file of at most 50 MB (52,428,800 bytes) and maps the file's\ncolumns to profile properties automatically. Nothing is written to profiles until the import is committed\n(`commitProfileImport`). The 202 body is the metadata of a long-running operation; the vendor says progress is\ntracked by listing LRO tasks with its `id`, and the mapping needed for the commit is read from the import\nrecord (`getProfileImport`).\nThe vendor's status for a file over 50 MB is not documented; the client enforces the limit itself.\n",
        "x-profilesync-max-upload-bytes": 52428800,
        "x-profilesync-provenance": {
          "status": "documented",
          "source": "https://docs.ocamba.com/api/hood/v1.0/reference/create-profiles-imports",
          "note": "The path, the 50 MB limit, the file types and the 202 body are documented. The request body is not: the page shows \"Request schema: body\" but its example sends no file, so the multipart field names are inferred."
        },
        "x-profilesync-rate-limits": {
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
        "x-profilesync-retry": {
          "policy": "safe",
          "note": "A repeated upload only creates a second, uncommitted import session; nothing is written to profiles until a commit. The orphaned session is left to expire (the import record carries an expire_time)."
        },
        "requestBody": {
          "required": true,
          "description": "[inferred] multipart/form-data with the file in a part named `file` and optional profile list ids. The vendor does not publish the field names; `profile_lists` is taken from the import record, which carries it.",
          "content": {
            "multipart/form-data": {
              "schema": {
                "$ref": "#/components/schemas/ProfileImportUpload"
              },
              "encoding": {
                "file": {
                  "contentType": "text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                }
              }
            }
          }
        },
        "responses": {
          "202": {
            "description": "Import session started; the body is the long-running operation's metadata.",
            "headers": {
              "X-RateLimit-Limit": {
                "$ref": "#/components/headers/X-RateLimit-Limit"
              },
              "X-RateLimit-Remaining": {
                "$ref": "#/components/headers/X-RateLimit-Remaining"
              },
              "X-RateLimit-Reset": {
                "$ref": "#/components/headers/X-RateLimit-Reset"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/LongRunningOperation"
                },
                "examples": {
                  "importStarted": {
                    "summary": "Vendor example (create-profiles-imports)",
                    "value": {
                      "id": "70823f7d-b3ed-4eda-9720-09eaec0a7deb",
                      "company_id": "6197120",
                      "member_id": "1000223",
                      "name": "profile-import",
                      "status": "running",
                      "start_time": "2025-11-06 14:13:48"
                    }
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          },
          "500": {
            "$ref": "#/components/responses/InternalServerError"
          }
        }
      }
    },
    "/profiles/imports/{id}": {
      "parameters": [
        {
          "$ref": "#/components/parameters/ImportId"
        }
      ],
      "get": {
        "operationId": "getProfileImport",
        "tags": [
          "Profile imports"
        ],
        "summary": "Read an import record",
        "description": "[inferred] Reads one import record (\"import center record\" in the vendor's words): its status, file, the\nautomatic column mapping the commit needs, and the record counts. The vendor says to read this record by\n\"listing import center records\" but does not publish that endpoint's path, so this path is inferred from the\nupload and commit paths. The real endpoint may live elsewhere (possibly under Core v2,\n`https://api.ocamba.com/v2/ocamba/...`) and, like other Ocamba \"view by id\" endpoints, may wrap the record in\n`{total, items}`. The record's shape is the older commit page's 202 body.\n",
        "x-profilesync-provenance": {
          "status": "inferred",
          "source": "https://docs.ocamba.com/api/hood/v1.0/reference/create-profiles-imports",
          "note": "The upload page refers to \"listing import center records\" for the mapping but gives no path or response. The path is inferred; the record shape comes from the 202 example on the older commit page (https://docs.ocamba.com/api/hood/v1.0/create-profiles-imports-by_id-commit); `columns` is inferred."
        },
        "x-profilesync-rate-limits": {
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
        "x-profilesync-retry": {
          "policy": "safe",
          "note": "A read; repeating it changes nothing."
        },
        "responses": {
          "200": {
            "description": "The import record.",
            "headers": {
              "X-RateLimit-Limit": {
                "$ref": "#/components/headers/X-RateLimit-Limit"
              },
              "X-RateLimit-Remaining": {
                "$ref": "#/components/headers/X-RateLimit-Remaining"
              },
              "X-RateLimit-Reset": {
                "$ref": "#/components/headers/X-RateLimit-Reset"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ProfileImport"
                },
                "examples": {
                  "finishedImport": {
                    "summary": "Older commit page's 202 body (create-profiles-imports-by_id-commit), up to expire_time",
                    "description": "Verbatim from the older commit page, which showed the import record as the commit's 202 body. Our copy of the page is cut off after `expire_time`, so `create_time` and later fields are left out.",
                    "value": {
                      "id": "05ef4b72-ad7c-4199-baea-d7cb9150f19b",
                      "company_id": "7196310",
                      "creator_id": "1000163",
                      "status": "finished",
                      "profile_lists": [
                        "1000000"
                      ],
                      "file": {
                        "path": "./profiles/imports/1001001/05ef4b72-ad7c-4199-baea-d7cb9150f19b",
                        "size": 124,
                        "name": "example.csv",
                        "mimetype": "text/csv",
                        "extension": "csv"
                      },
                      "mapping": {
                        "mapped": 10,
                        "unmapped": 2,
                        "items": [
                          {
                            "label": "email",
                            "property": {
                              "label": "email",
                              "data_type": "text",
                              "example": "text"
                            }
                          }
                        ]
                      },
                      "total_records": 10000,
                      "imported_records": 7000,
                      "failed_records": 3000,
                      "expire_time": "2025-01-29 12:47:00"
                    }
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          },
          "500": {
            "$ref": "#/components/responses/InternalServerError"
          }
        }
      }
    },
    "/profiles/imports/{id}/commit": {
      "parameters": [
        {
          "$ref": "#/components/parameters/ImportId"
        }
      ],
      "post": {
        "operationId": "commitProfileImport",
        "tags": [
          "Profile imports"
        ],
        "summary": "Commit an import with a column mapping",
        "description": "Finalises the import: the file's rows are saved as profiles using the given mapping of file columns to profile\nproperties. At least one column must map to `email` or `mobile_phone_number`. The 202 body is the metadata of\nthe long-running operation that performs the import. (The older docs page showed the full import record as the\n202 body; the current page shows the operation metadata, which is what is specified here.)\n[inferred] `{id}` is the import record's UUID; whether it equals the LRO id returned by the upload is not\ndocumented.\n",
        "x-profilesync-provenance": {
          "status": "documented",
          "source": "https://docs.ocamba.com/api/hood/v1.0/reference/create-profiles-imports-by_id-commit",
          "note": "Whether {id} is the import record id or the upload's LRO id is not documented."
        },
        "x-profilesync-rate-limits": {
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
        "x-profilesync-retry": {
          "policy": "check-first",
          "note": "Never commit twice. Read the import with getProfileImport first: if its status is no longer the uncommitted one ([inferred] `uploaded`; i.e. it is `running`, `finished` or `failed`), the first commit took effect and must not be repeated. Only an import still in the uncommitted status may be committed again."
        },
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ProfileImportCommit"
              },
              "examples": {
                "emailPhoneNameCustom": {
                  "summary": "Vendor example (create-profiles-imports-by_id-commit)",
                  "value": {
                    "mapping": [
                      {
                        "label": "email",
                        "property": {
                          "label": "email",
                          "data_type": "text",
                          "system": 1
                        }
                      },
                      {
                        "label": "phone",
                        "property": {
                          "label": "mobile_phone_number",
                          "data_type": "text",
                          "system": 1
                        }
                      },
                      {
                        "label": "name",
                        "property": {
                          "label": "full_name",
                          "data_type": "text",
                          "system": 1
                        }
                      },
                      {
                        "label": "column",
                        "property": {
                          "label": "custom_column",
                          "data_type": "text",
                          "system": 0
                        }
                      }
                    ]
                  }
                }
              }
            }
          }
        },
        "responses": {
          "202": {
            "description": "Commit accepted; the body is the long-running operation's metadata.",
            "headers": {
              "X-RateLimit-Limit": {
                "$ref": "#/components/headers/X-RateLimit-Limit"
              },
              "X-RateLimit-Remaining": {
                "$ref": "#/components/headers/X-RateLimit-Remaining"
              },
              "X-RateLimit-Reset": {
                "$ref": "#/components/headers/X-RateLimit-Reset"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/LongRunningOperation"
                },
                "examples": {
                  "commitRunning": {
                    "summary": "Vendor example (create-profiles-imports-by_id-commit)",
                    "value": {
                      "id": "c50f31e8-35a9-456a-b44a-e87d60c5570c",
                      "company_id": "6197120",
                      "member_id": "1000165",
                      "status": "running",
                      "start_time": "2025-06-12 09:39:01"
                    }
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          },
          "500": {
            "$ref": "#/components/responses/InternalServerError"
          }
        }
      }
    },
    "/profile-properties": {
      "get": {
        "operationId": "listProfileProperties",
        "tags": [
          "Profile properties"
        ],
        "summary": "List profile properties",
        "description": "Lists the account's profile properties, system and custom, as `{total, items}`.\nSearchable (`q_fields`): target, label, description. Sortable: data_type, pi_data, importable, exportable,\ncreate_time, update_time. Filterable: id, target, label, data_type, example, pi_data, system, importable,\nexportable, create_time, update_time. A filter value is `[op:]value` (operators in the API description).\nTo read one property by id, filter with `id=<id>`: no GET by id is documented.\n",
        "x-profilesync-provenance": {
          "status": "documented",
          "source": "https://docs.ocamba.com/api/hood/v1.0/reference/view-profile-properties"
        },
        "x-profilesync-rate-limits": {
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
        "x-profilesync-retry": {
          "policy": "safe",
          "note": "A read; repeating it changes nothing."
        },
        "parameters": [
          {
            "$ref": "#/components/parameters/Page"
          },
          {
            "$ref": "#/components/parameters/ProfilePropertySort"
          },
          {
            "$ref": "#/components/parameters/Fields"
          },
          {
            "$ref": "#/components/parameters/View"
          },
          {
            "$ref": "#/components/parameters/Q"
          },
          {
            "$ref": "#/components/parameters/ProfilePropertyQFields"
          },
          {
            "$ref": "#/components/parameters/FilterId"
          },
          {
            "$ref": "#/components/parameters/FilterTarget"
          },
          {
            "$ref": "#/components/parameters/FilterLabel"
          },
          {
            "$ref": "#/components/parameters/FilterDataType"
          },
          {
            "$ref": "#/components/parameters/FilterExample"
          },
          {
            "$ref": "#/components/parameters/FilterPiData"
          },
          {
            "$ref": "#/components/parameters/FilterSystem"
          },
          {
            "$ref": "#/components/parameters/FilterImportable"
          },
          {
            "$ref": "#/components/parameters/FilterExportable"
          },
          {
            "$ref": "#/components/parameters/FilterCreateTime"
          },
          {
            "$ref": "#/components/parameters/FilterUpdateTime"
          }
        ],
        "responses": {
          "200": {
            "description": "One page of profile properties.",
            "headers": {
              "X-RateLimit-Limit": {
                "$ref": "#/components/headers/X-RateLimit-Limit"
              },
              "X-RateLimit-Remaining": {
                "$ref": "#/components/headers/X-RateLimit-Remaining"
              },
              "X-RateLimit-Reset": {
                "$ref": "#/components/headers/X-RateLimit-Reset"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ProfilePropertyList"
                },
                "examples": {
                  "olderPage": {
                    "summary": "Vendor example, older page layout (view-profile-properties)",
                    "description": "Verbatim from https://docs.ocamba.com/api/hood/v1.0/view-profile-properties.",
                    "value": {
                      "total": 5,
                      "items": [
                        {
                          "id": "1000105",
                          "company_id": "7196310",
                          "target": "my_region",
                          "label": "my_region",
                          "data_type": "text",
                          "example": "northern_europe",
                          "description": "Custom region information associated with the profile. Can be used to group or filter profiles based on regional segmentation defined by your organization.",
                          "import_aliases": [
                            "region_name"
                          ],
                          "export_alias": "region_name",
                          "pi_data": 1,
                          "system": 1,
                          "importable": 1,
                          "exportable": 1,
                          "create_time": "2025-01-29 12:47:00",
                          "update_time": "2025-01-30 14:27:26"
                        }
                      ]
                    }
                  },
                  "newerPageFirstItem": {
                    "summary": "Vendor example, current page layout (reference/view-profile-properties), first item only",
                    "description": "Verbatim first item of the current page's example, which uses the key `property` instead of `label` and leaves out `pi_data` and `export_alias` (note the repeated alias, kept as published). Our copy is cut off inside the second item, so only the first is included.",
                    "value": {
                      "total": 5,
                      "items": [
                        {
                          "id": "343986",
                          "company_id": "1000001",
                          "target": "full_name",
                          "property": "full_name",
                          "description": "The profile's full legal name. It is used for identification purposes and to personalize communication.",
                          "data_type": "text",
                          "example": "Jane Doe",
                          "system": 1,
                          "importable": 1,
                          "exportable": 1,
                          "import_aliases": [
                            "full_name",
                            "name",
                            "profile_name",
                            "profile_name",
                            "contact_name",
                            "display_name"
                          ],
                          "create_time": "2025-03-28 14:42:40",
                          "update_time": "2025-04-09 13:30:39"
                        }
                      ]
                    }
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          },
          "500": {
            "$ref": "#/components/responses/InternalServerError"
          }
        }
      },
      "post": {
        "operationId": "createProfileProperty",
        "tags": [
          "Profile properties"
        ],
        "summary": "Create a custom profile property",
        "description": "Creates a custom property on profiles and returns it in full. `label` becomes the property's data key\n(`target`). `data_type` is documented as `text | number | date` with default `text`, but the vendor adds\n\"currently only 'text' is supported\" and every example uses `text`.\n",
        "x-profilesync-provenance": {
          "status": "documented",
          "source": "https://docs.ocamba.com/api/hood/v1.0/reference/create-profile-properties",
          "note": "The data_type values and description length (2000) come from the Customer Property schema on https://docs.ocamba.com/api/hood/v1.0/view-customer-data-by_id."
        },
        "x-profilesync-rate-limits": {
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
        "x-profilesync-retry": {
          "policy": "check-first",
          "note": "Before repeating, list properties with the filter `label=<label>`: if a property with that label exists, the first attempt took effect; use it instead of creating again."
        },
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ProfilePropertyCreate"
              },
              "examples": {
                "myRegion": {
                  "summary": "Vendor example (create-profile-properties)",
                  "value": {
                    "label": "my_region",
                    "data_type": "text",
                    "example": "northern_europe",
                    "description": "Custom region information associated with the profile. Can be used to group or filter profiles based on regional segmentation defined by your organization.",
                    "export_alias": "region_name",
                    "pi_data": 1,
                    "importable": 1,
                    "exportable": 1
                  }
                }
              }
            }
          }
        },
        "responses": {
          "201": {
            "description": "The created property.",
            "headers": {
              "X-RateLimit-Limit": {
                "$ref": "#/components/headers/X-RateLimit-Limit"
              },
              "X-RateLimit-Remaining": {
                "$ref": "#/components/headers/X-RateLimit-Remaining"
              },
              "X-RateLimit-Reset": {
                "$ref": "#/components/headers/X-RateLimit-Reset"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ProfileProperty"
                },
                "examples": {
                  "myRegion": {
                    "summary": "Vendor example (create-profile-properties)",
                    "description": "Verbatim, including `\"system\": 1` on a newly created custom property.",
                    "value": {
                      "id": "1000105",
                      "company_id": "7196310",
                      "target": "my_region",
                      "label": "my_region",
                      "data_type": "text",
                      "example": "northern_europe",
                      "description": "Custom region information associated with the profile. Can be used to group or filter profiles based on regional segmentation defined by your organization.",
                      "import_aliases": [
                        "region_name"
                      ],
                      "export_alias": "region_name",
                      "pi_data": 1,
                      "system": 1,
                      "importable": 1,
                      "exportable": 1,
                      "create_time": "2025-01-29 12:47:00",
                      "update_time": "2025-01-30 14:27:26"
                    }
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          },
          "500": {
            "$ref": "#/components/responses/InternalServerError"
          }
        }
      }
    },
    "/profile-properties/{id}": {
      "parameters": [
        {
          "$ref": "#/components/parameters/ProfilePropertyId"
        }
      ],
      "patch": {
        "operationId": "updateProfileProperty",
        "tags": [
          "Profile properties"
        ],
        "summary": "Update a custom profile property",
        "description": "Updates any subset of `example`, `description`, `export_alias`, `pi_data`, `importable` and `exportable`;\nfields not sent are left unchanged, and at least one must be sent. System properties are not updatable (400).\n[inferred] `label` and `data_type` are not updatable: they are absent from the documented fields.\n",
        "x-profilesync-provenance": {
          "status": "documented",
          "source": "https://docs.ocamba.com/api/hood/v1.0/reference/update-profile-properties-by_id"
        },
        "x-profilesync-rate-limits": {
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
        "x-profilesync-retry": {
          "policy": "safe",
          "note": "Idempotent; sending the same field values again leaves the property in the same state."
        },
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ProfilePropertyUpdate"
              },
              "examples": {
                "exampleDescriptionAlias": {
                  "summary": "Vendor example (update-profile-properties-by_id)",
                  "value": {
                    "example": "northern_europe",
                    "description": "Custom region information associated with the profile. Can be used to group or filter profiles based on regional segmentation defined by your organization.",
                    "export_alias": "region_name"
                  }
                }
              }
            }
          }
        },
        "responses": {
          "204": {
            "$ref": "#/components/responses/NoContent"
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          },
          "500": {
            "$ref": "#/components/responses/InternalServerError"
          }
        }
      }
    },
    "/resync": {
      "post": {
        "operationId": "createResync",
        "tags": [
          "Resync"
        ],
        "summary": "Resync integrations and conversions",
        "description": "Syncs the objects of the given resources again. At least one resource type must be given.",
        "x-profilesync-provenance": {
          "status": "documented",
          "source": "https://docs.ocamba.com/api/hood/v1.0/create-resync"
        },
        "x-profilesync-rate-limits": {
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
        "x-profilesync-retry": {
          "policy": "safe",
          "note": "A trigger; running the same resync again only syncs the same objects again."
        },
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ResyncRequest"
              },
              "examples": {
                "integrationsAndConversions": {
                  "summary": "Vendor example (create-resync)",
                  "value": {
                    "resync": {
                      "integration": [
                        "1628",
                        "1001",
                        "1263"
                      ],
                      "conversion": [
                        "1000192",
                        "1000293",
                        "1001123"
                      ]
                    }
                  }
                }
              }
            }
          }
        },
        "responses": {
          "204": {
            "$ref": "#/components/responses/NoContent"
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          },
          "500": {
            "$ref": "#/components/responses/InternalServerError"
          }
        }
      }
    },
    "/reports/profiles/import/{id}/full": {
      "parameters": [
        {
          "$ref": "#/components/parameters/ReportImportId"
        }
      ],
      "get": {
        "operationId": "getProfileImportReport",
        "tags": [
          "Profile imports"
        ],
        "summary": "Per-profile results of an import",
        "description": "Event-level data for the profile updates of one import: result code and timestamps per profile. The body is a\nbare JSON array, not `{total, items}`.\n[inferred] Which import id this takes is not documented: it may be the file import's id or the id of the JSON\nbulk-update import (`POST /profiles/import`, dev-docs only). The page lists query parameters but their names\nwere not captured; `page` is inferred from the list conventions.\n",
        "x-profilesync-provenance": {
          "status": "documented",
          "source": "https://docs.ocamba.com/api/hood/v1.0/reference/view-reports-profiles-import-by_id-full/",
          "note": "Path and 200 body are documented. The query parameter names, the `row` and `message` fields, and which import's id goes in {id} are inferred."
        },
        "x-profilesync-rate-limits": {
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
        "x-profilesync-retry": {
          "policy": "safe",
          "note": "A read; repeating it changes nothing."
        },
        "parameters": [
          {
            "$ref": "#/components/parameters/ReportPage"
          }
        ],
        "responses": {
          "200": {
            "description": "The report rows.",
            "headers": {
              "X-RateLimit-Limit": {
                "$ref": "#/components/headers/X-RateLimit-Limit"
              },
              "X-RateLimit-Remaining": {
                "$ref": "#/components/headers/X-RateLimit-Remaining"
              },
              "X-RateLimit-Reset": {
                "$ref": "#/components/headers/X-RateLimit-Reset"
              }
            },
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ImportReport"
                },
                "examples": {
                  "oneSuccess": {
                    "summary": "Vendor example (view-reports-profiles-import-by_id-full)",
                    "value": [
                      {
                        "event_date": "2026-04-28T00:00:00Z",
                        "event_time": "2026-04-28 12:00:00",
                        "profile_id": "1759319234567890987",
                        "code": "SUCCESS",
                        "update_time": "2026-04-28 12:00:05"
                      }
                    ]
                  }
                }
              }
            }
          },
          "400": {
            "$ref": "#/components/responses/BadRequest"
          },
          "401": {
            "$ref": "#/components/responses/Unauthorized"
          },
          "404": {
            "$ref": "#/components/responses/NotFound"
          },
          "429": {
            "$ref": "#/components/responses/TooManyRequests"
          },
          "500": {
            "$ref": "#/components/responses/InternalServerError"
          }
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "An Ocamba API key sent as `Authorization: Bearer <key>`. A key can be checked with `POST https://api.ocamba.com/v2/ocamba/personal-api-keys/validate` (204 valid, 401 not)."
      }
    },
    "headers": {
      "X-RateLimit-Limit": {
        "description": "Requests allowed in the current window. Sent on responses under the limit, never on a 429. [inferred] Which of the two windows (1 s, 60 s) it describes is not documented.",
        "schema": {
          "type": "integer",
          "minimum": 0
        }
      },
      "X-RateLimit-Remaining": {
        "description": "Requests left in the current window. Sent on responses under the limit, never on a 429.",
        "schema": {
          "type": "integer",
          "minimum": 0
        }
      },
      "X-RateLimit-Reset": {
        "description": "Seconds until the current window resets. Sent on responses under the limit, never on a 429.",
        "schema": {
          "type": "integer",
          "minimum": 0
        }
      },
      "Retry-After": {
        "description": "Seconds to wait before retrying; sent on a 429 \"in most cases\". `-1` means the parallel-concurrency limit was hit and no retry time can be given.",
        "schema": {
          "type": "integer",
          "minimum": -1
        }
      }
    },
    "parameters": {
      "ImportId": {
        "name": "id",
        "in": "path",
        "required": true,
        "description": "The import record's id (a UUID). [inferred] Whether it equals the LRO id returned by createProfileImport is not documented; the record's file path (`./profiles/imports/<company>/<uuid>`) reuses the record id.",
        "schema": {
          "type": "string",
          "format": "uuid",
          "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
        }
      },
      "ProfilePropertyId": {
        "name": "id",
        "in": "path",
        "required": true,
        "description": "The property's id, a decimal string (every documented id is one).",
        "schema": {
          "type": "string",
          "pattern": "^[0-9]+$"
        },
        "example": "1000105"
      },
      "ReportImportId": {
        "name": "id",
        "in": "path",
        "required": true,
        "description": "[inferred] The id of the import whose report is read. Its kind (file-import UUID or bulk-update id) is not documented, so any UUID or decimal id is accepted.",
        "schema": {
          "type": "string",
          "pattern": "^[0-9A-Za-z-]+$"
        }
      },
      "Page": {
        "name": "page",
        "in": "query",
        "required": false,
        "description": "`N` or `N,M`: page N (1-based) with M items per page; the default page size depends on the resource.",
        "schema": {
          "type": "string",
          "pattern": "^[1-9][0-9]*(,[1-9][0-9]*)?$"
        },
        "example": "1,10"
      },
      "ReportPage": {
        "name": "page",
        "in": "query",
        "required": false,
        "description": "[inferred] `N` or `N,M` as on list endpoints. The report page lists query parameters whose names were not captured; this one follows the general list convention and is unconfirmed.",
        "schema": {
          "type": "string",
          "pattern": "^[1-9][0-9]*(,[1-9][0-9]*)?$"
        }
      },
      "ProfilePropertySort": {
        "name": "sort",
        "in": "query",
        "required": false,
        "description": "Comma-separated sort fields, a leading `-` for descending. Sortable: data_type, pi_data, importable, exportable, create_time, update_time.",
        "schema": {
          "type": "string",
          "pattern": "^-?(data_type|pi_data|importable|exportable|create_time|update_time)(,-?(data_type|pi_data|importable|exportable|create_time|update_time))*$"
        },
        "example": "-update_time"
      },
      "Fields": {
        "name": "fields",
        "in": "query",
        "required": false,
        "description": "Comma-separated projection; only these fields are returned. Takes precedence over `view`. Items returned with a projection lack the other fields.",
        "schema": {
          "type": "string",
          "pattern": "^[a-z_]+(,[a-z_]+)*$"
        },
        "example": "id,label"
      },
      "View": {
        "name": "view",
        "in": "query",
        "required": false,
        "description": "`full` returns the full representation; without it the default view is used. `fields` wins over `view`.",
        "schema": {
          "type": "string",
          "enum": [
            "full",
            "default"
          ]
        }
      },
      "Q": {
        "name": "q",
        "in": "query",
        "required": false,
        "description": "Search term, matched against the `q_fields` (or the resource's default search field).",
        "schema": {
          "type": "string"
        }
      },
      "ProfilePropertyQFields": {
        "name": "q_fields",
        "in": "query",
        "required": false,
        "description": "Comma-separated fields `q` searches. Searchable fields are target, label and description.",
        "schema": {
          "type": "string",
          "pattern": "^(target|label|description)(,(target|label|description))*$"
        },
        "example": "label,description"
      },
      "FilterId": {
        "name": "id",
        "in": "query",
        "required": false,
        "description": "Filter on `id`, as `[op:]value` (e.g. `in:1000105,1000106`).",
        "schema": {
          "type": "string"
        },
        "example": "1000105"
      },
      "FilterTarget": {
        "name": "target",
        "in": "query",
        "required": false,
        "description": "Filter on `target` (the data key), as `[op:]value`.",
        "schema": {
          "type": "string"
        }
      },
      "FilterLabel": {
        "name": "label",
        "in": "query",
        "required": false,
        "description": "Filter on `label`, as `[op:]value`. Used to check whether a property was already created.",
        "schema": {
          "type": "string"
        },
        "example": "my_region"
      },
      "FilterDataType": {
        "name": "data_type",
        "in": "query",
        "required": false,
        "description": "Filter on `data_type`, as `[op:]value`.",
        "schema": {
          "type": "string"
        }
      },
      "FilterExample": {
        "name": "example",
        "in": "query",
        "required": false,
        "description": "Filter on `example`, as `[op:]value`.",
        "schema": {
          "type": "string"
        }
      },
      "FilterPiData": {
        "name": "pi_data",
        "in": "query",
        "required": false,
        "description": "Filter on `pi_data` (`0`/`1`), as `[op:]value`.",
        "schema": {
          "type": "string"
        }
      },
      "FilterSystem": {
        "name": "system",
        "in": "query",
        "required": false,
        "description": "Filter on `system` (`0`/`1`), as `[op:]value`; `system=0` lists the custom properties.",
        "schema": {
          "type": "string"
        }
      },
      "FilterImportable": {
        "name": "importable",
        "in": "query",
        "required": false,
        "description": "Filter on `importable` (`0`/`1`), as `[op:]value`.",
        "schema": {
          "type": "string"
        }
      },
      "FilterExportable": {
        "name": "exportable",
        "in": "query",
        "required": false,
        "description": "Filter on `exportable` (`0`/`1`), as `[op:]value`.",
        "schema": {
          "type": "string"
        }
      },
      "FilterCreateTime": {
        "name": "create_time",
        "in": "query",
        "required": false,
        "description": "Filter on `create_time` (`YYYY-MM-DD HH:MM:SS`, GMT), as `[op:]value`; range operators take `start,end`.",
        "schema": {
          "type": "string"
        }
      },
      "FilterUpdateTime": {
        "name": "update_time",
        "in": "query",
        "required": false,
        "description": "Filter on `update_time` (`YYYY-MM-DD HH:MM:SS`, GMT), as `[op:]value`; range operators take `start,end`.",
        "schema": {
          "type": "string"
        }
      }
    },
    "responses": {
      "NoContent": {
        "description": "Done; no body.",
        "headers": {
          "X-RateLimit-Limit": {
            "$ref": "#/components/headers/X-RateLimit-Limit"
          },
          "X-RateLimit-Remaining": {
            "$ref": "#/components/headers/X-RateLimit-Remaining"
          },
          "X-RateLimit-Reset": {
            "$ref": "#/components/headers/X-RateLimit-Reset"
          }
        }
      },
      "BadRequest": {
        "description": "The request is not valid (including a PATCH of a system property).",
        "headers": {
          "X-RateLimit-Limit": {
            "$ref": "#/components/headers/X-RateLimit-Limit"
          },
          "X-RateLimit-Remaining": {
            "$ref": "#/components/headers/X-RateLimit-Remaining"
          },
          "X-RateLimit-Reset": {
            "$ref": "#/components/headers/X-RateLimit-Reset"
          }
        },
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/ErrorBody"
            },
            "examples": {
              "requestNotValid": {
                "summary": "Vendor example (import, commit and report pages)",
                "value": {
                  "code": 400,
                  "title": "Bad request.",
                  "message": "The request is not valid.",
                  "trace_id": "99a84211-f73d-4ff8-acdf-eb3e06bb9d62"
                }
              },
              "requestBodyNotValid": {
                "summary": "Vendor example (profile-property and resync pages)",
                "value": {
                  "code": 400,
                  "title": "Bad request.",
                  "message": "The request body is not valid.",
                  "trace_id": "99a84211-f73d-4ff8-acdf-eb3e06bb9d62"
                }
              }
            }
          }
        }
      },
      "Unauthorized": {
        "description": "Missing or invalid API key. Documented on Core v2 (personal-api-keys/validate), not on the Hood pages.",
        "headers": {
          "X-RateLimit-Limit": {
            "$ref": "#/components/headers/X-RateLimit-Limit"
          },
          "X-RateLimit-Remaining": {
            "$ref": "#/components/headers/X-RateLimit-Remaining"
          },
          "X-RateLimit-Reset": {
            "$ref": "#/components/headers/X-RateLimit-Reset"
          }
        },
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/ErrorBody"
            },
            "examples": {
              "unauthorized": {
                "summary": "Vendor example (Core v2 create-personal-api-keys-validate)",
                "description": "Verbatim, including the placeholder `trace_id` \"{}\".",
                "value": {
                  "code": 401,
                  "title": "Unauthorized.",
                  "message": "Unauthorized.",
                  "trace_id": "{}"
                }
              }
            }
          }
        }
      },
      "NotFound": {
        "description": "[inferred] Unknown id or path. No Ocamba page documents a 404; the standard error body is assumed.",
        "headers": {
          "X-RateLimit-Limit": {
            "$ref": "#/components/headers/X-RateLimit-Limit"
          },
          "X-RateLimit-Remaining": {
            "$ref": "#/components/headers/X-RateLimit-Remaining"
          },
          "X-RateLimit-Reset": {
            "$ref": "#/components/headers/X-RateLimit-Reset"
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
      "TooManyRequests": {
        "description": "A rate limit was hit. Carries `Retry-After` (in most cases) and never the X-RateLimit-* headers. [inferred] No 429 body is documented; the standard error body is assumed, but a client must not rely on it.",
        "headers": {
          "Retry-After": {
            "$ref": "#/components/headers/Retry-After"
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
      "InternalServerError": {
        "description": "Vendor-side failure.",
        "headers": {
          "X-RateLimit-Limit": {
            "$ref": "#/components/headers/X-RateLimit-Limit"
          },
          "X-RateLimit-Remaining": {
            "$ref": "#/components/headers/X-RateLimit-Remaining"
          },
          "X-RateLimit-Reset": {
            "$ref": "#/components/headers/X-RateLimit-Reset"
          }
        },
        "content": {
          "application/json": {
            "schema": {
              "$ref": "#/components/schemas/ErrorBody"
            },
            "examples": {
              "internalServerError": {
                "summary": "Vendor example (every Hood page)",
                "value": {
                  "code": 500,
                  "title": "Internal server error.",
                  "trace_id": "99a84211-f73d-4ff8-acdf-eb3e06bb9d62"
                }
              }
            }
          }
        }
      }
    },
    "schemas": {
      "ErrorBody": {
        "type": "object",
        "description": "The error body of every Ocamba endpoint. `message` and `trace_id` are optional because the vendor's own examples leave each out: Hood 500 bodies have no `message`, Core v2 500 bodies have no `trace_id`. `trace_id` is a UUID in most examples but `\"{}\"` in one, so its format is not checked.",
        "required": [
          "code",
          "title"
        ],
        "properties": {
          "code": {
            "type": "integer",
            "description": "The HTTP status code."
          },
          "title": {
            "type": "string",
            "description": "Short error title, e.g. \"Bad request.\"."
          },
          "message": {
            "type": "string",
            "description": "Human-readable detail."
          },
          "trace_id": {
            "type": "string",
            "description": "Vendor trace id for support requests."
          }
        }
      },
      "Flag": {
        "type": "integer",
        "description": "A boolean as the vendor sends it, `0` or `1`.",
        "enum": [
          0,
          1
        ]
      },
      "Timestamp": {
        "type": "string",
        "description": "`YYYY-MM-DD HH:MM:SS` in GMT.",
        "pattern": "^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$"
      },
      "DataType": {
        "type": "string",
        "description": "A property's data type. Documented values `text | number | date`, default `text`; the vendor adds \"currently only 'text' is supported\".",
        "enum": [
          "text",
          "number",
          "date"
        ],
        "default": "text"
      },
      "LongRunningOperation": {
        "type": "object",
        "description": "Metadata of a long-running operation (LRO task), returned with 202 by upload and commit. `status` is an open string: only `running` is seen in the docs.",
        "required": [
          "id",
          "company_id",
          "member_id",
          "status",
          "start_time"
        ],
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid",
            "description": "The LRO task id."
          },
          "company_id": {
            "type": "string"
          },
          "member_id": {
            "type": "string",
            "description": "The member (user) who started the operation."
          },
          "name": {
            "type": "string",
            "description": "Operation name (`profile-import` on upload). Absent in the commit example."
          },
          "status": {
            "type": "string",
            "description": "Seen value `running`. [inferred] It later becomes a terminal value such as `finished` or `failed`."
          },
          "start_time": {
            "$ref": "#/components/schemas/Timestamp"
          }
        }
      },
      "ProfileImportUpload": {
        "type": "object",
        "description": "[inferred] Field names of the upload form; not published by the vendor.",
        "required": [
          "file"
        ],
        "properties": {
          "file": {
            "type": "string",
            "format": "binary",
            "contentMediaType": "application/octet-stream",
            "description": "[inferred name] The csv or xlsx file, at most 50 MB (52,428,800 bytes)."
          },
          "profile_lists": {
            "type": "array",
            "description": "[inferred] Ids of the profile lists the imported profiles are added to. The import record carries `profile_lists`, so the upload probably accepts it; name and encoding unconfirmed.",
            "items": {
              "type": "string"
            }
          }
        }
      },
      "ProfileImport": {
        "type": "object",
        "description": "[inferred] An import record (\"import center record\"). The shape is the older commit page's 202 example; the endpoint that returns it is not public. Only `id` and `status` are required because nothing else is confirmed.",
        "required": [
          "id",
          "status"
        ],
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid"
          },
          "company_id": {
            "type": "string"
          },
          "creator_id": {
            "type": "string",
            "description": "The member who created the import."
          },
          "status": {
            "type": "string",
            "description": "Open string. Seen: `finished` (import record) and `running` (LRO metadata). [inferred] `uploaded` (columns mapped, waiting for commit) and `failed`; neither is documented."
          },
          "profile_lists": {
            "type": "array",
            "description": "Ids of the profile lists the profiles are added to.",
            "items": {
              "type": "string"
            }
          },
          "file": {
            "$ref": "#/components/schemas/ImportFile"
          },
          "columns": {
            "type": "array",
            "description": "[inferred] The column labels detected in the file, so that a client can build the commit mapping for the columns the automatic mapping left out. Not seen in any vendor example.",
            "items": {
              "type": "string"
            }
          },
          "mapping": {
            "$ref": "#/components/schemas/ImportMapping"
          },
          "total_records": {
            "type": "integer",
            "minimum": 0
          },
          "imported_records": {
            "type": "integer",
            "minimum": 0
          },
          "failed_records": {
            "type": "integer",
            "minimum": 0
          },
          "expire_time": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "create_time": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "update_time": {
            "$ref": "#/components/schemas/Timestamp"
          }
        }
      },
      "ImportFile": {
        "type": "object",
        "description": "The uploaded file as stored by the vendor.",
        "properties": {
          "path": {
            "type": "string",
            "description": "Storage path, `./profiles/imports/<company>/<import id>` in the example."
          },
          "size": {
            "type": "integer",
            "minimum": 0,
            "description": "Size in bytes."
          },
          "name": {
            "type": "string",
            "description": "Original file name."
          },
          "mimetype": {
            "type": "string"
          },
          "extension": {
            "type": "string",
            "description": "`csv` or `xlsx`."
          }
        }
      },
      "ImportMapping": {
        "type": "object",
        "description": "The automatic mapping of file columns to profile properties.",
        "properties": {
          "mapped": {
            "type": "integer",
            "minimum": 0,
            "description": "Number of columns mapped."
          },
          "unmapped": {
            "type": "integer",
            "minimum": 0,
            "description": "Number of columns left unmapped."
          },
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/ImportMappingItem"
            }
          }
        }
      },
      "ImportMappingItem": {
        "type": "object",
        "description": "One mapped column.",
        "required": [
          "label",
          "property"
        ],
        "properties": {
          "label": {
            "type": "string",
            "description": "The file column's label."
          },
          "property": {
            "type": "object",
            "description": "The profile property the column is mapped to.",
            "required": [
              "label"
            ],
            "properties": {
              "label": {
                "type": "string"
              },
              "data_type": {
                "type": "string",
                "description": "Open string; known values text, number, date."
              },
              "example": {
                "type": "string"
              },
              "system": {
                "$ref": "#/components/schemas/Flag"
              }
            }
          }
        }
      },
      "ProfileImportCommit": {
        "type": "object",
        "description": "The commit body. At least one mapping item must map to the property `email` or `mobile_phone_number` (expressed with `contains`).",
        "required": [
          "mapping"
        ],
        "properties": {
          "mapping": {
            "type": "array",
            "minItems": 1,
            "x-profilesync-messages": {
              "contains": "At least one of email or mobile_phone_number is required (map a column to one of them)."
            },
            "items": {
              "$ref": "#/components/schemas/CommitMappingItem"
            },
            "contains": {
              "type": "object",
              "required": [
                "property"
              ],
              "properties": {
                "property": {
                  "type": "object",
                  "required": [
                    "label"
                  ],
                  "properties": {
                    "label": {
                      "enum": [
                        "email",
                        "mobile_phone_number"
                      ]
                    }
                  }
                }
              }
            }
          }
        }
      },
      "CommitMappingItem": {
        "type": "object",
        "description": "Maps one file column to a profile property. Other keys are not rejected, so an item read from the import record's mapping (which carries `example`) can be sent back as is. [inferred] `system` may be left out: the vendor's own import-record example returns mapping items without it, and a client sends them back as they came; the commit page's example always sends it.",
        "required": [
          "label",
          "property"
        ],
        "properties": {
          "label": {
            "type": "string",
            "minLength": 1,
            "description": "The file column's label."
          },
          "property": {
            "type": "object",
            "required": [
              "label",
              "data_type"
            ],
            "properties": {
              "label": {
                "type": "string",
                "minLength": 1,
                "description": "The target property's label (e.g. `email`, `mobile_phone_number`, `full_name`)."
              },
              "data_type": {
                "$ref": "#/components/schemas/DataType"
              },
              "system": {
                "$ref": "#/components/schemas/Flag",
                "description": "`1` for a system property, `0` for a custom one."
              }
            }
          }
        }
      },
      "ProfilePropertyFields": {
        "type": "object",
        "description": "Every field a profile property can carry, none required. List items use this directly because `fields`\nprojections trim them and the vendor's current list example leaves fields out (including `label`).\n[inferred] A missing 0|1 flag reads as `0` and a missing string as empty: the current list example omits\n`pi_data` and `export_alias` on a system property, consistent with the server omitting empty values.\nTolerating `property`: the current list example uses the key `property` where the older one and the create\nresponse use `label`. Both are accepted here; a client reads `label ?? property`.\n",
        "properties": {
          "id": {
            "type": "string",
            "description": "Property id, a decimal string."
          },
          "company_id": {
            "type": "string"
          },
          "target": {
            "type": "string",
            "description": "The data key under which profiles store the value."
          },
          "label": {
            "type": "string",
            "description": "The property's label (its name; equals `target` in the examples)."
          },
          "property": {
            "type": "string",
            "deprecated": true,
            "description": "Same as `label`; the key the vendor's current list example uses instead of it."
          },
          "data_type": {
            "type": "string",
            "description": "Open string so that a new vendor type does not fail validation. Known values `text`, `number`, `date`; only `text` is seen."
          },
          "example": {
            "type": "string",
            "description": "Example value."
          },
          "description": {
            "type": "string",
            "maxLength": 2000
          },
          "import_aliases": {
            "type": "array",
            "description": "Column names the automatic import mapping recognises. Duplicates occur in the vendor example.",
            "items": {
              "type": "string"
            }
          },
          "export_alias": {
            "type": "string",
            "description": "Column name used on export."
          },
          "pi_data": {
            "$ref": "#/components/schemas/Flag",
            "description": "`1`: personal information, values stored encrypted."
          },
          "system": {
            "$ref": "#/components/schemas/Flag",
            "description": "`1`: a system property (not updatable)."
          },
          "importable": {
            "$ref": "#/components/schemas/Flag"
          },
          "exportable": {
            "$ref": "#/components/schemas/Flag"
          },
          "create_time": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "update_time": {
            "$ref": "#/components/schemas/Timestamp"
          }
        }
      },
      "ProfileProperty": {
        "description": "A full profile property, as returned by createProfileProperty. Requires the identifying and descriptive fields; the 0|1 flags and the optional inputs (example, description, aliases) stay optional because the vendor's current list example shows the server leaving such fields out (see ProfilePropertyFields).",
        "allOf": [
          {
            "$ref": "#/components/schemas/ProfilePropertyFields"
          }
        ],
        "required": [
          "id",
          "company_id",
          "target",
          "label",
          "data_type",
          "create_time",
          "update_time"
        ]
      },
      "ProfilePropertyList": {
        "type": "object",
        "description": "A page of profile properties.",
        "required": [
          "total",
          "items"
        ],
        "properties": {
          "total": {
            "type": "integer",
            "minimum": 0,
            "description": "Number of matching properties over all pages."
          },
          "items": {
            "type": "array",
            "items": {
              "$ref": "#/components/schemas/ProfilePropertyFields"
            }
          }
        }
      },
      "ProfilePropertyCreate": {
        "type": "object",
        "description": "The create body; only these fields are documented.",
        "required": [
          "label"
        ],
        "additionalProperties": false,
        "properties": {
          "label": {
            "type": "string",
            "minLength": 1,
            "description": "The new property's label; it becomes its `target` (data key)."
          },
          "data_type": {
            "$ref": "#/components/schemas/DataType"
          },
          "example": {
            "type": "string"
          },
          "description": {
            "type": "string",
            "maxLength": 2000
          },
          "export_alias": {
            "type": "string"
          },
          "pi_data": {
            "$ref": "#/components/schemas/Flag",
            "description": "`1` marks personal information (stored encrypted)."
          },
          "importable": {
            "$ref": "#/components/schemas/Flag"
          },
          "exportable": {
            "$ref": "#/components/schemas/Flag"
          }
        }
      },
      "ProfilePropertyUpdate": {
        "type": "object",
        "description": "The updatable fields; send at least one. Unknown fields are rejected here rather than sent.",
        "minProperties": 1,
        "x-profilesync-messages": {
          "minProperties": "At least one of the updatable fields (example, description, export_alias, pi_data, importable, exportable) should be sent.",
          "additionalProperties": "is not updatable (only example, description, export_alias, pi_data, importable, exportable are)."
        },
        "additionalProperties": false,
        "properties": {
          "example": {
            "type": "string"
          },
          "description": {
            "type": "string",
            "maxLength": 2000
          },
          "export_alias": {
            "type": "string"
          },
          "pi_data": {
            "$ref": "#/components/schemas/Flag"
          },
          "importable": {
            "$ref": "#/components/schemas/Flag"
          },
          "exportable": {
            "$ref": "#/components/schemas/Flag"
          }
        }
      },
      "ResyncRequest": {
        "type": "object",
        "required": [
          "resync"
        ],
        "additionalProperties": false,
        "properties": {
          "resync": {
            "type": "object",
            "description": "Ids to resync per resource type (the two documented types). At least one type must be given and each given list must be non-empty: with `additionalProperties: false`, `minProperties: 1` is the same as requiring `integration` or `conversion`, and unlike an `anyOf` of `required` it keeps the generated type usable.",
            "additionalProperties": false,
            "minProperties": 1,
            "x-profilesync-messages": {
              "minProperties": "At least one type of resource (integration or conversion) must be synced."
            },
            "properties": {
              "integration": {
                "type": "array",
                "minItems": 1,
                "description": "Integration ids.",
                "items": {
                  "type": "string",
                  "minLength": 1
                }
              },
              "conversion": {
                "type": "array",
                "minItems": 1,
                "description": "Conversion ids.",
                "items": {
                  "type": "string",
                  "minLength": 1
                }
              }
            }
          }
        }
      },
      "ImportReport": {
        "type": "array",
        "description": "The report body, a bare array of rows.",
        "items": {
          "$ref": "#/components/schemas/ImportReportRow"
        }
      },
      "ImportReportRow": {
        "type": "object",
        "description": "The result for one profile of an import.",
        "required": [
          "event_date",
          "event_time",
          "profile_id",
          "code",
          "update_time"
        ],
        "properties": {
          "event_date": {
            "type": "string",
            "format": "date-time",
            "description": "The event's day as an RFC 3339 date-time at midnight UTC (`2026-04-28T00:00:00Z`)."
          },
          "event_time": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "profile_id": {
            "type": "string",
            "description": "Profile id; 19 digits in the example, beyond JavaScript's safe integers, so keep it a string."
          },
          "code": {
            "type": "string",
            "description": "Result code. Open string; only `SUCCESS` is documented."
          },
          "update_time": {
            "$ref": "#/components/schemas/Timestamp"
          },
          "row": {
            "type": "integer",
            "minimum": 1,
            "description": "[inferred] 1-based data row of the file the result is for. Not in the vendor example."
          },
          "message": {
            "type": "string",
            "description": "[inferred] Why the row failed, for failed rows. Not in the vendor example."
          }
        }
      }
    }
  }
}
