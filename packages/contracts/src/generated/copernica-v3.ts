/**
 * This file was auto-generated from openapi/copernica-v3.yaml by packages/contracts/scripts/generate.ts.
 * Do not make direct changes to the file: edit the spec and run `pnpm generate`.
 */
export interface paths {
    "/database/{id}/fields": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the fields of a database
         * @description Returns the database's profile fields in the paging wrapper. Only the paging parameters are supported.
         */
        get: operations["listDatabaseFields"];
        put?: never;
        /**
         * Add a field to a database
         * @description Creates a profile field. The documentation names the database by its numerical ID here (the GET on the same
         *     path also takes the name). Types `email`, `phone_fax` and `phone_gsm` are allowed once per database.
         */
        post: operations["createDatabaseField"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/database/{id}/profiles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List (and filter) the profiles of a database
         * @description Returns profiles in the paging wrapper. `fields[]` selects profiles by field conditions (CDoc
         *     `rest-fields-parameter.md`); with `dataonly=true` each profile carries only `ID`, `fields`, `interests` and
         *     `modified`, which is faster.
         */
        get: operations["listDatabaseProfiles"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/databases": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the databases of the account
         * @description Returns the account's databases in the paging wrapper. Only the paging parameters are supported.
         */
        get: operations["listDatabases"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/import/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Get the state of an import job
         * @description Returns one import job. The path is singular (`/import/{id}`), unlike `POST /imports`.
         *
         *     Completion is not documented. `[inferred]` Poll until `lastrun` is not `false` and the processed line count
         *     equals `totallines`, or until `lasterror` is not `false`; `status` is an open string (only
         *     `ready for start` is documented).
         */
        get: operations["getImport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/imports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create (and by default start) an import job
         * @description Creates an import job for a database. The rows come either inline (`source`) or from a file at a URL
         *     (`location`), never both. Documented in CDoc `rest-post-imports.md`; the repository text says "HTTP PUT", the
         *     live page says POST, and the official PHP helper posts to `imports/` (trailing slash, accepted as an alias).
         *
         *     Rules from the documentation that JSON Schema cannot express:
         *     - The keys of the rows in `source` must appear in the **same order in every row**.
         *     - Subprofile columns are written `Collection.Field` (for example `Order.Status`), in `source` and in `keyFields`.
         *
         *     There is no endpoint that lists imports (neither v3 nor v4 documents `GET /imports`): keep the id returned in
         *     `X-Created` and poll `getImport`.
         */
        post: operations["createImport"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /** @description A collection (subprofile table) of a database, as embedded in `Database`. */
        Collection: {
            database: components["schemas"]["NumericString"];
            fields: components["schemas"]["FieldPage"];
            ID: components["schemas"]["NumericString"];
            intentions?: components["schemas"]["Intentions"];
            name: string;
        };
        /** @description Paging wrapper holding collections. */
        CollectionPage: components["schemas"]["PageMeta"] & {
            data: components["schemas"]["Collection"][];
        };
        /** @description Body of `createDatabaseField`. Unknown members are rejected so that typos are caught. `[inferred]` An `integer` or `float` field needs a default `value` (rmuit/copernica-api's emulator, built against the live API, rejects one without); this is enforced here. */
        CreateDatabaseFieldRequest: {
            /** @description Show the field in lists and grids of the user interface. */
            displayed?: components["schemas"]["PhpBoolean"];
            /** @description Never show the field in the user interface. */
            hidden?: components["schemas"]["PhpBoolean"];
            /** @description Index the field. */
            index?: components["schemas"]["PhpBoolean"];
            length?: components["schemas"]["UnsignedIntegerInput"];
            /** @description The field can be modified or deleted only through the API. */
            lock?: components["schemas"]["PhpBoolean"];
            /** @description Name of the new field. */
            name: string;
            /** @description Order profiles by this field. */
            ordered?: components["schemas"]["PhpBoolean"];
            textlines?: components["schemas"]["UnsignedIntegerInput"];
            type?: components["schemas"]["FieldType"];
            /** @description Default value. For `select`, the choices separated by newline characters with a trailing `*` on the default (the CDoc PHP example writes `'A\nB\nC*'` in single quotes, which in PHP sends a literal backslash-n rather than a newline). */
            value?: string | number;
        } & unknown;
        /**
         * @description Body of `createImport`. Exactly one of `source` (inline data) and `location` (URL of the file) is required.
         *     `delimiter` is required when `source` is a string with `format: csv`. Unknown members are rejected so that
         *     typos are caught before they reach Copernica. Defaults are the documented ones (bold on the vendor page).
         */
        CreateImportRequest: {
            action?: components["schemas"]["ImportAction"];
            /**
             * @description Start the import immediately.
             * @default true
             */
            autostart?: components["schemas"]["PhpBoolean"];
            /** @description ID of the target database. The docs show a JSON integer. `[inferred]` A numeric string is accepted too: Copernica returns IDs as strings (`"ID":"3144"`), form encoding can only send strings, and the PHP server treats both alike. A client should send an integer. */
            database: number | string;
            /**
             * @description With `action` `delete`, what to remove.
             * @default profile
             * @enum {string}
             */
            deleteTarget?: "profile" | "subprofile";
            /**
             * @description Column delimiter of CSV data (a tab, a comma or a semicolon). Required for CSV, non-array input.
             * @enum {string}
             */
            delimiter?: "\t" | "," | ";";
            /**
             * @description Execute follow-ups on the imported (sub)profiles.
             * @default false
             */
            followups?: components["schemas"]["PhpBoolean"];
            /**
             * @description Format of `source` when it is a string. `[inferred]` The format assumed when it is absent is not documented, so a client always sets it for a string `source`.
             * @enum {string}
             */
            format?: "csv" | "json";
            /**
             * @description Keep the stored value where the imported value is empty.
             * @default false
             */
            ignoreEmptyFields?: components["schemas"]["PhpBoolean"];
            /** @description Columns that identify an existing (sub)profile, for example `["Email"]`. A subprofile key is written `Collection.Field`, for example `["Email", "Order.OrderID"]`. */
            keyFields?: string[];
            /**
             * Format: uri
             * @description URL of the import file at an external location. Use instead of `source`.
             */
            location?: string;
            /** @description Name of the import. */
            name?: string;
            /**
             * @description Rebuild the selections after the import. The documented JSON example sends the string `"false"`, so the strings `"true"` and `"false"` are accepted as well as booleans.
             * @default false
             */
            rebuild?: components["schemas"]["PhpBoolean"];
            /**
             * @description Remove the (sub)profiles of the database that are not in the import.
             * @default false
             */
            removeMissing?: components["schemas"]["PhpBoolean"];
            /** @description Inline import data, instead of `location`: an array of rows, or a string holding CSV or JSON text (then set `format`, and `delimiter` for CSV). */
            source?: components["schemas"]["ImportSourceRow"][] | string;
        } & ((unknown | unknown) & unknown);
        /**
         * @description A database. `fields`, `interests` and `collections` are paging wrappers (the docs call them arrays, their example shows wrappers). `intentions` is listed by the docs but missing from their example, so it is optional. The example is CDoc's (`rest-get-databases.md`) with one trailing comma removed, which made it invalid JSON.
         * @example {
         *       "ID": "3144",
         *       "name": "Test database",
         *       "description": "This is a test database.",
         *       "archived": false,
         *       "created": "2018-03-08 10:47:01",
         *       "fields": {
         *         "start": 0,
         *         "limit": 1000,
         *         "count": 3,
         *         "data": [
         *           {
         *             "ID": "20989",
         *             "name": "name",
         *             "type": "text",
         *             "value": "",
         *             "displayed": true,
         *             "ordered": false,
         *             "length": "255",
         *             "textlines": "3",
         *             "hidden": false,
         *             "index": false
         *           },
         *           {
         *             "ID": "20990",
         *             "name": "birthday",
         *             "type": "date",
         *             "value": "2018-03-16",
         *             "displayed": true,
         *             "ordered": false,
         *             "length": "100",
         *             "textlines": "3",
         *             "hidden": false,
         *             "index": false
         *           },
         *           {
         *             "ID": "20991",
         *             "name": "email",
         *             "type": "email",
         *             "value": "bla@bla.nl",
         *             "displayed": true,
         *             "ordered": false,
         *             "length": "100",
         *             "textlines": "3",
         *             "hidden": false,
         *             "index": false
         *           }
         *         ],
         *         "total": 3
         *       },
         *       "interests": {
         *         "start": 0,
         *         "limit": 1000,
         *         "count": 2,
         *         "data": [
         *           {
         *             "ID": "3053",
         *             "name": "soccer",
         *             "group": "sports"
         *           },
         *           {
         *             "ID": "3054",
         *             "name": "baseball",
         *             "group": "sport"
         *           }
         *         ],
         *         "total": 2
         *       },
         *       "collections": {
         *         "start": 0,
         *         "limit": 1000,
         *         "count": 1,
         *         "data": [
         *           {
         *             "ID": "20981",
         *             "name": "Orders",
         *             "database": "3144",
         *             "fields": {
         *               "start": 0,
         *               "limit": 100,
         *               "count": 2,
         *               "data": [
         *                 {
         *                   "ID": "9474",
         *                   "name": "email",
         *                   "type": "email",
         *                   "value": "test@copernica.nl",
         *                   "displayed": true,
         *                   "ordered": false,
         *                   "length": "100",
         *                   "textlines": "0",
         *                   "hidden": false,
         *                   "index": false
         *                 },
         *                 {
         *                   "ID": "9475",
         *                   "name": "order_number",
         *                   "type": "integer",
         *                   "value": "0",
         *                   "displayed": true,
         *                   "ordered": false,
         *                   "length": "100",
         *                   "textlines": "0",
         *                   "hidden": false,
         *                   "index": false
         *                 }
         *               ],
         *               "total": 2
         *             }
         *           }
         *         ],
         *         "total": 1
         *       }
         *     }
         */
        Database: {
            archived: boolean;
            collections: components["schemas"]["CollectionPage"];
            created: components["schemas"]["Timestamp"];
            description: string;
            fields: components["schemas"]["FieldPage"];
            ID: components["schemas"]["NumericString"];
            intentions?: components["schemas"]["Intentions"];
            interests: components["schemas"]["InterestPage"];
            name: string;
        };
        /** @description Paging wrapper holding databases. */
        DatabasePage: components["schemas"]["PageMeta"] & {
            data: components["schemas"]["Database"][];
        };
        /**
         * @description The error body of a failed call. Sent with HTTP 400 almost always, an invalid access token included (`[inferred]` from rmuit/copernica-api behaviour tests against the live API).
         * @example {
         *       "error": {
         *         "message": "No database with supplied ID"
         *       }
         *     }
         */
        ErrorBody: {
            error: {
                message: string;
            };
        };
        /**
         * @description A profile field of a database. The example is the first field of the CDoc `rest-get-databases.md` example.
         * @example {
         *       "ID": "20989",
         *       "name": "name",
         *       "type": "text",
         *       "value": "",
         *       "displayed": true,
         *       "ordered": false,
         *       "length": "255",
         *       "textlines": "3",
         *       "hidden": false,
         *       "index": false
         *     }
         */
        Field: {
            /** @description Shown in lists and grids of the user interface. */
            displayed: boolean;
            /** @description Never shown in the user interface. */
            hidden: boolean;
            ID: components["schemas"]["NumericString"];
            /** @description The field is indexed. */
            index: boolean;
            length: components["schemas"]["NumericString"];
            name: string;
            /** @description Profiles are ordered by this field. */
            ordered: boolean;
            textlines: components["schemas"]["NumericString"];
            type: components["schemas"]["FieldType"];
            /** @description Default value, as a string (also for numeric fields, e.g. `"0"`). */
            value: string;
        };
        /** @description Paging wrapper holding fields. */
        FieldPage: components["schemas"]["PageMeta"] & {
            data: components["schemas"]["Field"][];
        };
        /**
         * @description Type of a profile field: `integer`, `float`, `text`, `big` (large text), `select` (choices separated by newlines, a trailing `*` marks the default), `foreign_key` (points at another profile), `date` (mandatory) and `empty_date` (optional), `datetime` and `empty_datetime`, `email`, `phone_fax` and `phone_gsm` (one of each per database). `[inferred]` `phone` is not in the docs; it is in the 123lens client's FieldType enum.
         * @enum {string}
         */
        FieldType: "integer" | "float" | "date" | "empty_date" | "datetime" | "empty_datetime" | "text" | "email" | "phone" | "phone_fax" | "phone_gsm" | "select" | "big" | "foreign_key";
        /** @description An import job. Counts come back as strings; `lastrun`, `nextrun` and `lasterror` are `false` when there is none. The processed-line count is named `processedlines` in the field table and `processedLines` in the documented example; either casing is accepted (at least one is present). */
        Import: {
            ID: components["schemas"]["NumericString"];
            /** @description Text of the last error, or `false`. */
            lasterror: string | false;
            /** @description When the import last finished, or `false`. `[inferred]` The docs give no format; expect `YYYY-MM-DD hh:mm:ss` as elsewhere in the API. */
            lastrun: string | false;
            /** @description Name of the import (the example shows the file URL). */
            name: string;
            /** @description When the import will next start, or `false`. */
            nextrun: string | false;
            processedlines?: components["schemas"]["NumericString"];
            processedLines?: components["schemas"]["NumericString"];
            /**
             * @description Job status. Only `ready for start` is documented; treat it as an open string.
             * @example ready for start
             */
            status: string;
            totallines: components["schemas"]["NumericString"];
            /** @description The import's action, in the server's own wording (the documented example says `add or update` where the request enum says `update or add`), so it is an open string. */
            type: string;
        } & (unknown | unknown);
        /**
         * @description What the import does with each row.
         * @enum {string}
         */
        ImportAction: "add" | "update" | "update or add" | "ignore or add" | "delete";
        /** @description One row of inline import data: column name to scalar value. Subprofile columns are named `Collection.Field`. The keys must appear in the same order in every row (documented; not expressible in JSON Schema). */
        ImportSourceRow: {
            [key: string]: string | number | boolean | null;
        };
        /** @description Which channels the database or collection is intended for. The docs say each is "either 1 or null"; the 123lens mock shows `false`. All three spellings are accepted. */
        Intentions: {
            email?: number | boolean | null;
            fax?: number | boolean | null;
            pdf?: number | boolean | null;
            sms?: number | boolean | null;
        };
        /** @description An interest of a database (as embedded in `Database`). */
        Interest: {
            group: string;
            ID: components["schemas"]["NumericString"];
            name: string;
        };
        /** @description Paging wrapper holding interests. */
        InterestPage: components["schemas"]["PageMeta"] & {
            data: components["schemas"]["Interest"][];
        };
        /** @description A non-negative integer written as a JSON string, the way Copernica returns IDs and counts. */
        NumericString: string;
        /** @description The members every paging wrapper has (CDoc `rest-paging.md`). `count` is the number of objects in `data`; `total` is absent when the call was made with `total=false`. */
        PageMeta: {
            count: number;
            limit: number;
            start: number;
            total?: number;
        };
        /** @description A boolean, in a query or a request body. The docs write `true` and `false`. `[inferred]` Copernica is a PHP service and reads any text as a boolean: `true` and `yes` (any case) and numbers of 1 or more are true, everything else (`0`, the empty text, `false`, `no`) is false (rmuit/copernica-api `tests/TestApi.php`, `isBooleanTrue`). PHP clients write `true` as `1` and `false` as `0` or nothing (`http_build_query`, form bodies). The spellings clients actually write are accepted; other text is refused so that a typo such as `ture` is caught instead of silently read as false. */
        PhpBoolean: boolean | string;
        /**
         * @description A profile. With `dataonly=true` only `ID`, `fields`, `interests` and `modified` are present. The example is CDoc's (`rest-get-database-profiles.md`) with one trailing comma removed, which made it invalid JSON.
         * @example {
         *       "ID": "18381",
         *       "fields": {
         *         "name": "Test",
         *         "email": "test@example.com"
         *       },
         *       "interests": [
         *         "baseball",
         *         "soccer"
         *       ],
         *       "database": "7616",
         *       "secret": "e5903b43c08g011f7a1e1f2644f618be",
         *       "created": "2013-01-06 14:19:51",
         *       "modified": "2019-02-21 13:26:21",
         *       "removed": false
         *     }
         */
        Profile: {
            created?: components["schemas"]["Timestamp"];
            database?: components["schemas"]["NumericString"];
            /** @description Field name to value; every value is a string. */
            fields: {
                [key: string]: string;
            };
            ID: components["schemas"]["NumericString"];
            /** @description Names of the profile's interests. */
            interests: string[];
            modified: components["schemas"]["Timestamp"];
            /** @description `false` for a live profile. `[inferred]` rmuit/copernica-api saw removed profiles returned with a value other than `false`; its type is not documented. */
            removed?: boolean | string;
            /** @description The profile's secret code (the `code` special field of `fields[]`). */
            secret?: string;
        };
        /** @description Paging wrapper holding profiles. */
        ProfilePage: components["schemas"]["PageMeta"] & {
            data: components["schemas"]["Profile"][];
            /** @description `[inferred]` Present in the 123lens mock of this call, not in the docs; apparently the ID to continue from. Do not rely on it. */
            nextid?: number;
        };
        /** @description A local timestamp in `YYYY-MM-DD hh:mm:ss` form. */
        Timestamp: string;
        /** @description A non-negative integer in a request. The docs send JSON integers. `[inferred]` Digit strings are accepted too, since Copernica returns these numbers as strings and a value read back may be sent again. */
        UnsignedIntegerInput: number | string;
    };
    responses: {
        /** @description The call failed; the message is in the body (CDoc `rest-requests.md`). `[inferred]` Practically every Copernica error is a 400, an invalid access token included (rmuit/copernica-api behaviour tests). Messages seen: `Invalid access token`, `Invalid method`, `No entity with supplied ID`, `No database with supplied ID`, `Invalid data provided`. */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBody"];
            };
        };
        /** @description Created. POST answers 201 with no response body (CDoc `rest-requests.md`); the id of the new entity is in `X-Created`. */
        Created: {
            headers: {
                "X-Created": components["headers"]["XCreated"];
                "X-location": components["headers"]["XLocation"];
                [name: string]: unknown;
            };
            content?: never;
        };
        /** @description `[inferred]` Rate limited. Copernica documents no 429; the 123lens client handles one by reading Retry-After. The body shape is assumed to be the usual error body. */
        TooManyRequests: {
            headers: {
                "Retry-After": components["headers"]["RetryAfter"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBody"];
            };
        };
        /** @description Any other status (for example 301 for a moved call, or a 5xx). `[inferred]` An error body, when present, has the usual shape. */
        UnexpectedError: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBody"];
            };
        };
    };
    parameters: {
        /** @description Numerical ID of the database. */
        DatabaseId: components["schemas"]["NumericString"];
        /** @description Numerical ID or name of the database (this operation documents both). */
        DatabaseIdOrName: string;
        /** @description Maximum number of objects to return; 100 when absent, at most 1000 (CDoc `rest-paging.md`). */
        Limit: number;
        /** @description Paging offset: the position of the first object to return (CDoc `rest-paging.md`). A large `start` gets slow; filter on `id` with `fields[]` instead where the operation supports it. */
        Start: number;
        /** @description Whether to count the total number of objects. `false` skips the count and makes the call faster; the response then has no `total` member. */
        Total: components["schemas"]["PhpBoolean"];
    };
    requestBodies: never;
    headers: {
        /** @description `[inferred]` Seconds to wait (or an HTTP date) before repeating. Read by the 123lens client on 429; not documented by Copernica. */
        RetryAfter: string;
        /**
         * @description `[inferred]` The id of the created entity, digits only. The official PHP helper returns this header's value from every POST and PUT, and `rest-put-database-profiles.md` names it; the import and field pages do not. A client that saw no X-Created does not know whether the call took effect.
         * @example 12
         */
        XCreated: components["schemas"]["NumericString"];
        /** @description `[inferred]` URL of the created entity. `rest-requests.md` documents `X-location` on POST and PUT (its example is `https://api.copernica.com/v1/profile/$id`, with a version that need not match v3); that it is sent for imports and fields is not documented. */
        XLocation: string;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listDatabaseFields: {
        parameters: {
            query?: {
                /** @description Maximum number of objects to return; 100 when absent, at most 1000 (CDoc `rest-paging.md`). */
                limit?: components["parameters"]["Limit"];
                /** @description Paging offset: the position of the first object to return (CDoc `rest-paging.md`). A large `start` gets slow; filter on `id` with `fields[]` instead where the operation supports it. */
                start?: components["parameters"]["Start"];
                /** @description Whether to count the total number of objects. `false` skips the count and makes the call faster; the response then has no `total` member. */
                total?: components["parameters"]["Total"];
            };
            header?: never;
            path: {
                /** @description Numerical ID or name of the database (this operation documents both). */
                id: components["parameters"]["DatabaseIdOrName"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of fields. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FieldPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    createDatabaseField: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Numerical ID of the database. */
                id: components["parameters"]["DatabaseId"];
            };
            cookie?: never;
        };
        /** @description The new field. Only `application/json` is modelled (the API also takes form encoding). */
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateDatabaseFieldRequest"];
            };
        };
        responses: {
            201: components["responses"]["Created"];
            400: components["responses"]["BadRequest"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    listDatabaseProfiles: {
        parameters: {
            query?: {
                /** @description When true, return only `ID`, `fields`, `interests` and `modified` of each profile (faster). */
                dataonly?: components["schemas"]["PhpBoolean"];
                /**
                 * @description Field conditions, all of which must hold; repeat the parameter once per condition:
                 *     `?fields[]=land%3D%3Dnetherlands&fields[]=age%3E16` (CDoc's example). Each item is `<field><operator><value>` with the
                 *     operators `==`, `!=` or `<>` (not equal), `<`, `>`, `<=`, `>=`, `=~` (LIKE) and `!~` (NOT LIKE); LIKE takes
                 *     the wildcards `%` (any run) and `_` (one character). Besides database fields, `id`, `code` (the secret) and
                 *     `modified` (`YYYY-MM-DD hh:mm:ss`) can be compared.
                 *
                 *     Encoding: percent-encode the item value (operators included) and send the name as `fields[]`.
                 *     `[inferred]` Copernica reads the query as PHP does, so `fields[0]=`, `fields[1]=` (what `http_build_query`
                 *     writes, brackets percent-encoded) are items of the same list; the list's keys are ignored
                 *     (rmuit/copernica-api `tests/TestApi.php`). A condition on an unknown field, or one that is not
                 *     `<field><operator><value>` (`Email ==x`, with a space, names the field `Email `), is ignored and the
                 *     list comes back unfiltered (`tests/ApiBehaviorTest.php`, `testProfileCrud`): check every returned
                 *     profile against the condition. The pattern below refuses an item with no operator on purpose, although
                 *     the vendor would ignore it: a filter that silently selects everything is the dangerous kind of typo.
                 */
                "fields[]"?: string[];
                /** @description Maximum number of objects to return; 100 when absent, at most 1000 (CDoc `rest-paging.md`). */
                limit?: components["parameters"]["Limit"];
                /** @description Sort direction. */
                order?: "asc" | "desc";
                /** @description Name or ID of the field to sort by, or one of the special values `id` (the default), `random` and `modified`. */
                orderby?: string;
                /** @description Paging offset: the position of the first object to return (CDoc `rest-paging.md`). A large `start` gets slow; filter on `id` with `fields[]` instead where the operation supports it. */
                start?: components["parameters"]["Start"];
                /** @description Whether to count the total number of objects. `false` skips the count and makes the call faster; the response then has no `total` member. */
                total?: components["parameters"]["Total"];
            };
            header?: never;
            path: {
                /** @description Numerical ID of the database. */
                id: components["parameters"]["DatabaseId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of profiles. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProfilePage"];
                };
            };
            400: components["responses"]["BadRequest"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    listDatabases: {
        parameters: {
            query?: {
                /** @description Maximum number of objects to return; 100 when absent, at most 1000 (CDoc `rest-paging.md`). */
                limit?: components["parameters"]["Limit"];
                /** @description Paging offset: the position of the first object to return (CDoc `rest-paging.md`). A large `start` gets slow; filter on `id` with `fields[]` instead where the operation supports it. */
                start?: components["parameters"]["Start"];
                /** @description Whether to count the total number of objects. `false` skips the count and makes the call faster; the response then has no `total` member. */
                total?: components["parameters"]["Total"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of databases. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DatabasePage"];
                };
            };
            400: components["responses"]["BadRequest"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    getImport: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Numerical id of the import, as returned in the `X-Created` header of `createImport`. */
                id: components["schemas"]["NumericString"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The import job. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Import"];
                };
            };
            400: components["responses"]["BadRequest"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["UnexpectedError"];
        };
    };
    createImport: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description The import definition. Only `application/json` is modelled (the API also takes form encoding). */
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateImportRequest"];
            };
        };
        responses: {
            201: components["responses"]["Created"];
            400: components["responses"]["BadRequest"];
            429: components["responses"]["TooManyRequests"];
            default: components["responses"]["UnexpectedError"];
        };
    };
}
