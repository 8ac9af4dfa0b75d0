/**
 * This file was auto-generated from openapi/ocamba-hood.yaml by packages/contracts/scripts/generate.ts.
 * Do not make direct changes to the file: edit the spec and run `pnpm generate`.
 */
export interface paths {
    "/profile-properties": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List profile properties
         * @description Lists the account's profile properties, system and custom, as `{total, items}`.
         *     Searchable (`q_fields`): target, label, description. Sortable: data_type, pi_data, importable, exportable,
         *     create_time, update_time. Filterable: id, target, label, data_type, example, pi_data, system, importable,
         *     exportable, create_time, update_time. A filter value is `[op:]value` (operators in the API description).
         *     To read one property by id, filter with `id=<id>`: no GET by id is documented.
         */
        get: operations["listProfileProperties"];
        put?: never;
        /**
         * Create a custom profile property
         * @description Creates a custom property on profiles and returns it in full. `label` becomes the property's data key
         *     (`target`). `data_type` is documented as `text | number | date` with default `text`, but the vendor adds
         *     "currently only 'text' is supported" and every example uses `text`.
         */
        post: operations["createProfileProperty"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/profile-properties/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The property's id, a decimal string (every documented id is one).
                 * @example 1000105
                 */
                id: components["parameters"]["ProfilePropertyId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Update a custom profile property
         * @description Updates any subset of `example`, `description`, `export_alias`, `pi_data`, `importable` and `exportable`;
         *     fields not sent are left unchanged, and at least one must be sent. System properties are not updatable (400).
         *     [inferred] `label` and `data_type` are not updatable: they are absent from the documented fields.
         */
        patch: operations["updateProfileProperty"];
        trace?: never;
    };
    "/profiles/imports": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Upload a file and start an import session
         * @description Starts an import session from a csv or xlsx file of at most 50 MB (52,428,800 bytes) and maps the file's
         *     columns to profile properties automatically. Nothing is written to profiles until the import is committed
         *     (`commitProfileImport`). The 202 body is the metadata of a long-running operation; the vendor says progress is
         *     tracked by listing LRO tasks with its `id`, and the mapping needed for the commit is read from the import
         *     record (`getProfileImport`).
         *     The vendor's status for a file over 50 MB is not documented; the client enforces the limit itself.
         */
        post: operations["createProfileImport"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/profiles/imports/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The import record's id (a UUID). [inferred] Whether it equals the LRO id returned by createProfileImport is not documented; the record's file path (`./profiles/imports/<company>/<uuid>`) reuses the record id. */
                id: components["parameters"]["ImportId"];
            };
            cookie?: never;
        };
        /**
         * Read an import record
         * @description [inferred] Reads one import record ("import center record" in the vendor's words): its status, file, the
         *     automatic column mapping the commit needs, and the record counts. The vendor says to read this record by
         *     "listing import center records" but does not publish that endpoint's path, so this path is inferred from the
         *     upload and commit paths. The real endpoint may live elsewhere (possibly under Core v2,
         *     `https://api.ocamba.com/v2/ocamba/...`) and, like other Ocamba "view by id" endpoints, may wrap the record in
         *     `{total, items}`. The record's shape is the older commit page's 202 body.
         */
        get: operations["getProfileImport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/profiles/imports/{id}/commit": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The import record's id (a UUID). [inferred] Whether it equals the LRO id returned by createProfileImport is not documented; the record's file path (`./profiles/imports/<company>/<uuid>`) reuses the record id. */
                id: components["parameters"]["ImportId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Commit an import with a column mapping
         * @description Finalises the import: the file's rows are saved as profiles using the given mapping of file columns to profile
         *     properties. At least one column must map to `email` or `mobile_phone_number`. The 202 body is the metadata of
         *     the long-running operation that performs the import. (The older docs page showed the full import record as the
         *     202 body; the current page shows the operation metadata, which is what is specified here.)
         *     [inferred] `{id}` is the import record's UUID; whether it equals the LRO id returned by the upload is not
         *     documented.
         */
        post: operations["commitProfileImport"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/reports/profiles/import/{id}/full": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description [inferred] The id of the import whose report is read. Its kind (file-import UUID or bulk-update id) is not documented, so any UUID or decimal id is accepted. */
                id: components["parameters"]["ReportImportId"];
            };
            cookie?: never;
        };
        /**
         * Per-profile results of an import
         * @description Event-level data for the profile updates of one import: result code and timestamps per profile. The body is a
         *     bare JSON array, not `{total, items}`.
         *     [inferred] Which import id this takes is not documented: it may be the file import's id or the id of the JSON
         *     bulk-update import (`POST /profiles/import`, dev-docs only). The page lists query parameters but their names
         *     were not captured; `page` is inferred from the list conventions.
         */
        get: operations["getProfileImportReport"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/resync": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resync integrations and conversions
         * @description Syncs the objects of the given resources again. At least one resource type must be given.
         */
        post: operations["createResync"];
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
        /** @description Maps one file column to a profile property. Other keys are not rejected, so an item read from the import record's mapping (which carries `example`) can be sent back as is. [inferred] `system` may be left out: the vendor's own import-record example returns mapping items without it, and a client sends them back as they came; the commit page's example always sends it. */
        CommitMappingItem: {
            /** @description The file column's label. */
            label: string;
            property: {
                data_type: components["schemas"]["DataType"];
                /** @description The target property's label (e.g. `email`, `mobile_phone_number`, `full_name`). */
                label: string;
                /** @description `1` for a system property, `0` for a custom one. */
                system?: components["schemas"]["Flag"];
            };
        };
        /**
         * @description A property's data type. Documented values `text | number | date`, default `text`; the vendor adds "currently only 'text' is supported".
         * @default text
         * @enum {string}
         */
        DataType: "text" | "number" | "date";
        /** @description The error body of every Ocamba endpoint. `message` and `trace_id` are optional because the vendor's own examples leave each out: Hood 500 bodies have no `message`, Core v2 500 bodies have no `trace_id`. `trace_id` is a UUID in most examples but `"{}"` in one, so its format is not checked. */
        ErrorBody: {
            /** @description The HTTP status code. */
            code: number;
            /** @description Human-readable detail. */
            message?: string;
            /** @description Short error title, e.g. "Bad request.". */
            title: string;
            /** @description Vendor trace id for support requests. */
            trace_id?: string;
        };
        /**
         * @description A boolean as the vendor sends it, `0` or `1`.
         * @enum {integer}
         */
        Flag: 0 | 1;
        /** @description The uploaded file as stored by the vendor. */
        ImportFile: {
            /** @description `csv` or `xlsx`. */
            extension?: string;
            mimetype?: string;
            /** @description Original file name. */
            name?: string;
            /** @description Storage path, `./profiles/imports/<company>/<import id>` in the example. */
            path?: string;
            /** @description Size in bytes. */
            size?: number;
        };
        /** @description The automatic mapping of file columns to profile properties. */
        ImportMapping: {
            items?: components["schemas"]["ImportMappingItem"][];
            /** @description Number of columns mapped. */
            mapped?: number;
            /** @description Number of columns left unmapped. */
            unmapped?: number;
        };
        /** @description One mapped column. */
        ImportMappingItem: {
            /** @description The file column's label. */
            label: string;
            /** @description The profile property the column is mapped to. */
            property: {
                /** @description Open string; known values text, number, date. */
                data_type?: string;
                example?: string;
                label: string;
                system?: components["schemas"]["Flag"];
            };
        };
        /** @description The report body, a bare array of rows. */
        ImportReport: components["schemas"]["ImportReportRow"][];
        /** @description The result for one profile of an import. */
        ImportReportRow: {
            /** @description Result code. Open string; only `SUCCESS` is documented. */
            code: string;
            /**
             * Format: date-time
             * @description The event's day as an RFC 3339 date-time at midnight UTC (`2026-04-28T00:00:00Z`).
             */
            event_date: string;
            event_time: components["schemas"]["Timestamp"];
            /** @description [inferred] Why the row failed, for failed rows. Not in the vendor example. */
            message?: string;
            /** @description Profile id; 19 digits in the example, beyond JavaScript's safe integers, so keep it a string. */
            profile_id: string;
            /** @description [inferred] 1-based data row of the file the result is for. Not in the vendor example. */
            row?: number;
            update_time: components["schemas"]["Timestamp"];
        };
        /** @description Metadata of a long-running operation (LRO task), returned with 202 by upload and commit. `status` is an open string: only `running` is seen in the docs. */
        LongRunningOperation: {
            company_id: string;
            /**
             * Format: uuid
             * @description The LRO task id.
             */
            id: string;
            /** @description The member (user) who started the operation. */
            member_id: string;
            /** @description Operation name (`profile-import` on upload). Absent in the commit example. */
            name?: string;
            start_time: components["schemas"]["Timestamp"];
            /** @description Seen value `running`. [inferred] It later becomes a terminal value such as `finished` or `failed`. */
            status: string;
        };
        /** @description [inferred] An import record ("import center record"). The shape is the older commit page's 202 example; the endpoint that returns it is not public. Only `id` and `status` are required because nothing else is confirmed. */
        ProfileImport: {
            /** @description [inferred] The column labels detected in the file, so that a client can build the commit mapping for the columns the automatic mapping left out. Not seen in any vendor example. */
            columns?: string[];
            company_id?: string;
            create_time?: components["schemas"]["Timestamp"];
            /** @description The member who created the import. */
            creator_id?: string;
            expire_time?: components["schemas"]["Timestamp"];
            failed_records?: number;
            file?: components["schemas"]["ImportFile"];
            /** Format: uuid */
            id: string;
            imported_records?: number;
            mapping?: components["schemas"]["ImportMapping"];
            /** @description Ids of the profile lists the profiles are added to. */
            profile_lists?: string[];
            /** @description Open string. Seen: `finished` (import record) and `running` (LRO metadata). [inferred] `uploaded` (columns mapped, waiting for commit) and `failed`; neither is documented. */
            status: string;
            total_records?: number;
            update_time?: components["schemas"]["Timestamp"];
        };
        /** @description The commit body. At least one mapping item must map to the property `email` or `mobile_phone_number` (expressed with `contains`). */
        ProfileImportCommit: {
            mapping: components["schemas"]["CommitMappingItem"][];
        };
        /** @description [inferred] Field names of the upload form; not published by the vendor. */
        ProfileImportUpload: {
            /**
             * Format: binary
             * @description [inferred name] The csv or xlsx file, at most 50 MB (52,428,800 bytes).
             */
            file: string;
            /** @description [inferred] Ids of the profile lists the imported profiles are added to. The import record carries `profile_lists`, so the upload probably accepts it; name and encoding unconfirmed. */
            profile_lists?: string[];
        };
        /** @description A full profile property, as returned by createProfileProperty. Requires the identifying and descriptive fields; the 0|1 flags and the optional inputs (example, description, aliases) stay optional because the vendor's current list example shows the server leaving such fields out (see ProfilePropertyFields). */
        ProfileProperty: WithRequired<components["schemas"]["ProfilePropertyFields"], "id" | "company_id" | "target" | "label" | "data_type" | "create_time" | "update_time">;
        /** @description The create body; only these fields are documented. */
        ProfilePropertyCreate: {
            data_type?: components["schemas"]["DataType"];
            description?: string;
            example?: string;
            export_alias?: string;
            exportable?: components["schemas"]["Flag"];
            importable?: components["schemas"]["Flag"];
            /** @description The new property's label; it becomes its `target` (data key). */
            label: string;
            /** @description `1` marks personal information (stored encrypted). */
            pi_data?: components["schemas"]["Flag"];
        };
        /**
         * @description Every field a profile property can carry, none required. List items use this directly because `fields`
         *     projections trim them and the vendor's current list example leaves fields out (including `label`).
         *     [inferred] A missing 0|1 flag reads as `0` and a missing string as empty: the current list example omits
         *     `pi_data` and `export_alias` on a system property, consistent with the server omitting empty values.
         *     Tolerating `property`: the current list example uses the key `property` where the older one and the create
         *     response use `label`. Both are accepted here; a client reads `label ?? property`.
         */
        ProfilePropertyFields: {
            company_id?: string;
            create_time?: components["schemas"]["Timestamp"];
            /** @description Open string so that a new vendor type does not fail validation. Known values `text`, `number`, `date`; only `text` is seen. */
            data_type?: string;
            description?: string;
            /** @description Example value. */
            example?: string;
            /** @description Column name used on export. */
            export_alias?: string;
            exportable?: components["schemas"]["Flag"];
            /** @description Property id, a decimal string. */
            id?: string;
            /** @description Column names the automatic import mapping recognises. Duplicates occur in the vendor example. */
            import_aliases?: string[];
            importable?: components["schemas"]["Flag"];
            /** @description The property's label (its name; equals `target` in the examples). */
            label?: string;
            /** @description `1`: personal information, values stored encrypted. */
            pi_data?: components["schemas"]["Flag"];
            /**
             * @deprecated
             * @description Same as `label`; the key the vendor's current list example uses instead of it.
             */
            property?: string;
            /** @description `1`: a system property (not updatable). */
            system?: components["schemas"]["Flag"];
            /** @description The data key under which profiles store the value. */
            target?: string;
            update_time?: components["schemas"]["Timestamp"];
        };
        /** @description A page of profile properties. */
        ProfilePropertyList: {
            items: components["schemas"]["ProfilePropertyFields"][];
            /** @description Number of matching properties over all pages. */
            total: number;
        };
        /** @description The updatable fields; send at least one. Unknown fields are rejected here rather than sent. */
        ProfilePropertyUpdate: {
            description?: string;
            example?: string;
            export_alias?: string;
            exportable?: components["schemas"]["Flag"];
            importable?: components["schemas"]["Flag"];
            pi_data?: components["schemas"]["Flag"];
        };
        ResyncRequest: {
            /** @description Ids to resync per resource type (the two documented types). At least one type must be given and each given list must be non-empty: with `additionalProperties: false`, `minProperties: 1` is the same as requiring `integration` or `conversion`, and unlike an `anyOf` of `required` it keeps the generated type usable. */
            resync: {
                /** @description Conversion ids. */
                conversion?: string[];
                /** @description Integration ids. */
                integration?: string[];
            };
        };
        /** @description `YYYY-MM-DD HH:MM:SS` in GMT. */
        Timestamp: string;
    };
    responses: {
        /** @description The request is not valid (including a PATCH of a system property). */
        BadRequest: {
            headers: {
                "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBody"];
            };
        };
        /** @description Vendor-side failure. */
        InternalServerError: {
            headers: {
                "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBody"];
            };
        };
        /** @description Done; no body. */
        NoContent: {
            headers: {
                "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                [name: string]: unknown;
            };
            content?: never;
        };
        /** @description [inferred] Unknown id or path. No Ocamba page documents a 404; the standard error body is assumed. */
        NotFound: {
            headers: {
                "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBody"];
            };
        };
        /** @description A rate limit was hit. Carries `Retry-After` (in most cases) and never the X-RateLimit-* headers. [inferred] No 429 body is documented; the standard error body is assumed, but a client must not rely on it. */
        TooManyRequests: {
            headers: {
                "Retry-After": components["headers"]["Retry-After"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBody"];
            };
        };
        /** @description Missing or invalid API key. Documented on Core v2 (personal-api-keys/validate), not on the Hood pages. */
        Unauthorized: {
            headers: {
                "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["ErrorBody"];
            };
        };
    };
    parameters: {
        /**
         * @description Comma-separated projection; only these fields are returned. Takes precedence over `view`. Items returned with a projection lack the other fields.
         * @example id,label
         */
        Fields: string;
        /** @description Filter on `create_time` (`YYYY-MM-DD HH:MM:SS`, GMT), as `[op:]value`; range operators take `start,end`. */
        FilterCreateTime: string;
        /** @description Filter on `data_type`, as `[op:]value`. */
        FilterDataType: string;
        /** @description Filter on `example`, as `[op:]value`. */
        FilterExample: string;
        /** @description Filter on `exportable` (`0`/`1`), as `[op:]value`. */
        FilterExportable: string;
        /**
         * @description Filter on `id`, as `[op:]value` (e.g. `in:1000105,1000106`).
         * @example 1000105
         */
        FilterId: string;
        /** @description Filter on `importable` (`0`/`1`), as `[op:]value`. */
        FilterImportable: string;
        /**
         * @description Filter on `label`, as `[op:]value`. Used to check whether a property was already created.
         * @example my_region
         */
        FilterLabel: string;
        /** @description Filter on `pi_data` (`0`/`1`), as `[op:]value`. */
        FilterPiData: string;
        /** @description Filter on `system` (`0`/`1`), as `[op:]value`; `system=0` lists the custom properties. */
        FilterSystem: string;
        /** @description Filter on `target` (the data key), as `[op:]value`. */
        FilterTarget: string;
        /** @description Filter on `update_time` (`YYYY-MM-DD HH:MM:SS`, GMT), as `[op:]value`; range operators take `start,end`. */
        FilterUpdateTime: string;
        /** @description The import record's id (a UUID). [inferred] Whether it equals the LRO id returned by createProfileImport is not documented; the record's file path (`./profiles/imports/<company>/<uuid>`) reuses the record id. */
        ImportId: string;
        /**
         * @description `N` or `N,M`: page N (1-based) with M items per page; the default page size depends on the resource.
         * @example 1,10
         */
        Page: string;
        /**
         * @description The property's id, a decimal string (every documented id is one).
         * @example 1000105
         */
        ProfilePropertyId: string;
        /**
         * @description Comma-separated fields `q` searches. Searchable fields are target, label and description.
         * @example label,description
         */
        ProfilePropertyQFields: string;
        /**
         * @description Comma-separated sort fields, a leading `-` for descending. Sortable: data_type, pi_data, importable, exportable, create_time, update_time.
         * @example -update_time
         */
        ProfilePropertySort: string;
        /** @description Search term, matched against the `q_fields` (or the resource's default search field). */
        Q: string;
        /** @description [inferred] The id of the import whose report is read. Its kind (file-import UUID or bulk-update id) is not documented, so any UUID or decimal id is accepted. */
        ReportImportId: string;
        /** @description [inferred] `N` or `N,M` as on list endpoints. The report page lists query parameters whose names were not captured; this one follows the general list convention and is unconfirmed. */
        ReportPage: string;
        /** @description `full` returns the full representation; without it the default view is used. `fields` wins over `view`. */
        View: "full" | "default";
    };
    requestBodies: never;
    headers: {
        /** @description Seconds to wait before retrying; sent on a 429 "in most cases". `-1` means the parallel-concurrency limit was hit and no retry time can be given. */
        "Retry-After": number;
        /** @description Requests allowed in the current window. Sent on responses under the limit, never on a 429. [inferred] Which of the two windows (1 s, 60 s) it describes is not documented. */
        "X-RateLimit-Limit": number;
        /** @description Requests left in the current window. Sent on responses under the limit, never on a 429. */
        "X-RateLimit-Remaining": number;
        /** @description Seconds until the current window resets. Sent on responses under the limit, never on a 429. */
        "X-RateLimit-Reset": number;
    };
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listProfileProperties: {
        parameters: {
            query?: {
                /** @description Filter on `create_time` (`YYYY-MM-DD HH:MM:SS`, GMT), as `[op:]value`; range operators take `start,end`. */
                create_time?: components["parameters"]["FilterCreateTime"];
                /** @description Filter on `data_type`, as `[op:]value`. */
                data_type?: components["parameters"]["FilterDataType"];
                /** @description Filter on `example`, as `[op:]value`. */
                example?: components["parameters"]["FilterExample"];
                /** @description Filter on `exportable` (`0`/`1`), as `[op:]value`. */
                exportable?: components["parameters"]["FilterExportable"];
                /**
                 * @description Comma-separated projection; only these fields are returned. Takes precedence over `view`. Items returned with a projection lack the other fields.
                 * @example id,label
                 */
                fields?: components["parameters"]["Fields"];
                /**
                 * @description Filter on `id`, as `[op:]value` (e.g. `in:1000105,1000106`).
                 * @example 1000105
                 */
                id?: components["parameters"]["FilterId"];
                /** @description Filter on `importable` (`0`/`1`), as `[op:]value`. */
                importable?: components["parameters"]["FilterImportable"];
                /**
                 * @description Filter on `label`, as `[op:]value`. Used to check whether a property was already created.
                 * @example my_region
                 */
                label?: components["parameters"]["FilterLabel"];
                /**
                 * @description `N` or `N,M`: page N (1-based) with M items per page; the default page size depends on the resource.
                 * @example 1,10
                 */
                page?: components["parameters"]["Page"];
                /** @description Filter on `pi_data` (`0`/`1`), as `[op:]value`. */
                pi_data?: components["parameters"]["FilterPiData"];
                /** @description Search term, matched against the `q_fields` (or the resource's default search field). */
                q?: components["parameters"]["Q"];
                /**
                 * @description Comma-separated fields `q` searches. Searchable fields are target, label and description.
                 * @example label,description
                 */
                q_fields?: components["parameters"]["ProfilePropertyQFields"];
                /**
                 * @description Comma-separated sort fields, a leading `-` for descending. Sortable: data_type, pi_data, importable, exportable, create_time, update_time.
                 * @example -update_time
                 */
                sort?: components["parameters"]["ProfilePropertySort"];
                /** @description Filter on `system` (`0`/`1`), as `[op:]value`; `system=0` lists the custom properties. */
                system?: components["parameters"]["FilterSystem"];
                /** @description Filter on `target` (the data key), as `[op:]value`. */
                target?: components["parameters"]["FilterTarget"];
                /** @description Filter on `update_time` (`YYYY-MM-DD HH:MM:SS`, GMT), as `[op:]value`; range operators take `start,end`. */
                update_time?: components["parameters"]["FilterUpdateTime"];
                /** @description `full` returns the full representation; without it the default view is used. `fields` wins over `view`. */
                view?: components["parameters"]["View"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of profile properties. */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProfilePropertyList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalServerError"];
        };
    };
    createProfileProperty: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ProfilePropertyCreate"];
            };
        };
        responses: {
            /** @description The created property. */
            201: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProfileProperty"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalServerError"];
        };
    };
    updateProfileProperty: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description The property's id, a decimal string (every documented id is one).
                 * @example 1000105
                 */
                id: components["parameters"]["ProfilePropertyId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ProfilePropertyUpdate"];
            };
        };
        responses: {
            204: components["responses"]["NoContent"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalServerError"];
        };
    };
    createProfileImport: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** @description [inferred] multipart/form-data with the file in a part named `file` and optional profile list ids. The vendor does not publish the field names; `profile_lists` is taken from the import record, which carries it. */
        requestBody: {
            content: {
                "multipart/form-data": components["schemas"]["ProfileImportUpload"];
            };
        };
        responses: {
            /** @description Import session started; the body is the long-running operation's metadata. */
            202: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LongRunningOperation"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalServerError"];
        };
    };
    getProfileImport: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The import record's id (a UUID). [inferred] Whether it equals the LRO id returned by createProfileImport is not documented; the record's file path (`./profiles/imports/<company>/<uuid>`) reuses the record id. */
                id: components["parameters"]["ImportId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The import record. */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ProfileImport"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalServerError"];
        };
    };
    commitProfileImport: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The import record's id (a UUID). [inferred] Whether it equals the LRO id returned by createProfileImport is not documented; the record's file path (`./profiles/imports/<company>/<uuid>`) reuses the record id. */
                id: components["parameters"]["ImportId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ProfileImportCommit"];
            };
        };
        responses: {
            /** @description Commit accepted; the body is the long-running operation's metadata. */
            202: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LongRunningOperation"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalServerError"];
        };
    };
    getProfileImportReport: {
        parameters: {
            query?: {
                /** @description [inferred] `N` or `N,M` as on list endpoints. The report page lists query parameters whose names were not captured; this one follows the general list convention and is unconfirmed. */
                page?: components["parameters"]["ReportPage"];
            };
            header?: never;
            path: {
                /** @description [inferred] The id of the import whose report is read. Its kind (file-import UUID or bulk-update id) is not documented, so any UUID or decimal id is accepted. */
                id: components["parameters"]["ReportImportId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The report rows. */
            200: {
                headers: {
                    "X-RateLimit-Limit": components["headers"]["X-RateLimit-Limit"];
                    "X-RateLimit-Remaining": components["headers"]["X-RateLimit-Remaining"];
                    "X-RateLimit-Reset": components["headers"]["X-RateLimit-Reset"];
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImportReport"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalServerError"];
        };
    };
    createResync: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ResyncRequest"];
            };
        };
        responses: {
            204: components["responses"]["NoContent"];
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["InternalServerError"];
        };
    };
}
/** `T` with the keys `K` required: how a schema's `required` list applies to an `allOf`. */
export type WithRequired<T, K extends keyof T> = T & {
    [P in K]-?: T[P];
};
