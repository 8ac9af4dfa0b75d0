/**
 * @module
 * What a simulated Ocamba account holds: profile properties (system ones pre-seeded), import sessions with their
 * per-row reports, the profile store keyed by email or mobile phone number, and recorded resync requests.
 */
import { ocambaEmailKey, ocambaIdentity, ocambaPhoneKey } from "@profilesync/contracts"
import type { ResolvedSandboxOptions } from "../options.ts"
import { formatTimestamp } from "../time.ts"
import { ValueInterner } from "../value-interner.ts"

/**
 * A 0/1 flag, the vendor's way of writing booleans.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export type Flag = 0 | 1

/**
 * A profile property in the vendor's own shape.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export interface OcambaProperty {
  id: string
  company_id: string
  target: string
  label: string
  data_type: string
  example: string
  description: string
  import_aliases: Array<string>
  export_alias: string
  pi_data: Flag
  system: Flag
  importable: Flag
  exportable: Flag
  create_time: string
  update_time: string
}

/**
 * A stored profile: property values by property target.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export interface OcambaProfile {
  readonly id: string
  readonly properties: Record<string, string>
  readonly create_time: string
  update_time: string
  /** Imports that wrote the profile, oldest first. */
  readonly importIds: Array<string>
}

/**
 * One column-to-property pair of an import mapping.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export interface OcambaMappingItem {
  readonly label: string
  readonly property: {
    readonly label: string
    readonly data_type: string
    readonly example?: string
    readonly system: Flag
  }
}

/**
 * The result for one data row of an import, as the report endpoint returns it.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export interface OcambaReportRow {
  readonly event_date: string
  readonly event_time: string
  /** The profile written, or `""` for a failed row. */
  readonly profile_id: string
  /** `SUCCESS`, or a failure code: `MISSING_IDENTIFIER`, `INVALID_EMAIL`, `NOT_PROCESSED`. */
  readonly code: string
  readonly update_time: string
  /** 1-based data row of the file (the header is row 0); only with the `richImportReport` option. */
  readonly row?: number
  readonly message?: string
}

/**
 * The status of an import record. `uploaded`, `failed` and the passage through `running` are inferred.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export type OcambaImportStatus = "uploaded" | "running" | "finished" | "failed"

/**
 * An import session: the uploaded file, its detected columns and rows, the mapping, counts and report.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export interface OcambaImport {
  readonly id: string
  readonly company_id: string
  readonly creator_id: string
  status: OcambaImportStatus
  readonly profile_lists: ReadonlyArray<string>
  readonly file: {
    readonly path: string
    readonly size: number
    readonly name: string
    readonly mimetype: string
    readonly extension: string
  }
  readonly columns: ReadonlyArray<string>
  /** Data rows, each aligned with `columns`. */
  readonly rows: ReadonlyArray<ReadonlyArray<string>>
  readonly automaticMapping: ReadonlyArray<OcambaMappingItem>
  committedMapping: ReadonlyArray<OcambaMappingItem> | undefined
  /** The id of the long-running operation the commit returned. */
  commitTaskId: string | undefined
  total_records: number
  imported_records: number
  failed_records: number
  readonly expire_time: string
  readonly create_time: string
  update_time: string
  readonly report: Array<OcambaReportRow>
  /** Why processing failed, when it did. */
  error: string | undefined
}

/**
 * A recorded `POST /resync` body.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export interface OcambaResync {
  readonly integration: ReadonlyArray<string>
  readonly conversion: ReadonlyArray<string>
  readonly time: string
}

interface SystemPropertySeed {
  readonly label: string
  readonly example: string
  readonly description: string
  readonly importAliases: ReadonlyArray<string>
  readonly personalInformation: Flag
}

/**
 * The system properties every account starts with. `email`, `mobile_phone_number` and `full_name` (with the aliases
 * of the vendor's list example) are documented; the others are the usual profile fields and are inferred.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export const systemPropertySeeds: ReadonlyArray<SystemPropertySeed> = [
  {
    label: "email",
    example: "jane.doe@example.com",
    description: "The profile's email address.",
    importAliases: ["email", "e-mail", "email_address", "mail"],
    personalInformation: 1
  },
  {
    label: "mobile_phone_number",
    example: "+381601234567",
    description: "The profile's mobile phone number, international format.",
    importAliases: ["mobile_phone_number", "phone", "mobile", "mobile_phone", "phone_number", "msisdn"],
    personalInformation: 1
  },
  {
    label: "full_name",
    example: "Jane Doe",
    description:
      "The profile's full legal name. It is used for identification purposes and to personalize communication.",
    importAliases: ["full_name", "name", "profile_name", "contact_name", "display_name"],
    personalInformation: 1
  },
  {
    label: "first_name",
    example: "Jane",
    description: "The profile's first name.",
    importAliases: ["first_name", "firstname", "given_name"],
    personalInformation: 1
  },
  {
    label: "last_name",
    example: "Doe",
    description: "The profile's last name.",
    importAliases: ["last_name", "lastname", "surname", "family_name"],
    personalInformation: 1
  },
  {
    label: "country",
    example: "RS",
    description: "The profile's country, ISO 3166-1 alpha-2.",
    importAliases: ["country", "country_code"],
    personalInformation: 0
  },
  {
    label: "city",
    example: "Belgrade",
    description: "The profile's city.",
    importAliases: ["city", "town"],
    personalInformation: 0
  },
  {
    label: "language",
    example: "en",
    description: "The profile's preferred language, ISO 639-1.",
    importAliases: ["language", "lang", "locale"],
    personalInformation: 0
  },
  {
    label: "timezone",
    example: "Europe/Belgrade",
    description: "The profile's time zone, IANA name.",
    importAliases: ["timezone", "time_zone", "tz"],
    personalInformation: 0
  }
]

/**
 * Normalises an email for use as a key: trimmed and lower-cased.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export const emailKey: (email: string) => string = ocambaEmailKey

/**
 * Normalises a phone number for use as a key: only digits and a leading `+`.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export const phoneKey: (phone: string) => string = ocambaPhoneKey

/**
 * The state of one Ocamba account.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export class OcambaAccountState {
  readonly id: string
  readonly companyId: string
  readonly memberId: string
  readonly properties = new Map<string, OcambaProperty>()
  readonly profiles = new Map<string, OcambaProfile>()
  readonly imports = new Map<string, OcambaImport>()
  readonly resyncs: Array<OcambaResync> = []
  readonly #profileIdsByEmail = new Map<string, string>()
  readonly #profileIdsByPhone = new Map<string, string>()
  // Property values repeat (cities, countries, names): each distinct one is kept once per property.
  readonly #interners = new Map<string, ValueInterner>()
  #nextPropertyId = 1000100
  #nextProfileNumber = 1

  constructor(account: { id: string; companyId: string; memberId: string }, createdAt: number) {
    this.id = account.id
    this.companyId = account.companyId
    this.memberId = account.memberId
    const timestamp = formatTimestamp(createdAt)
    systemPropertySeeds.forEach((seed, index) => {
      const id = String(1000001 + index)
      this.properties.set(id, {
        id,
        company_id: this.companyId,
        target: seed.label,
        label: seed.label,
        data_type: "text",
        example: seed.example,
        description: seed.description,
        import_aliases: [...seed.importAliases],
        export_alias: seed.label,
        pi_data: seed.personalInformation,
        system: 1,
        importable: 1,
        exportable: 1,
        create_time: timestamp,
        update_time: timestamp
      })
    })
  }

  /** A fresh decimal property id (custom properties start at 1000100). */
  nextPropertyId(): string {
    return String(this.#nextPropertyId++)
  }

  /** The property with this label, compared without regard to case (labels are unique that way). */
  findPropertyByLabel(label: string): OcambaProperty | undefined {
    const wanted = label.toLowerCase()
    for (const property of this.properties.values()) {
      if (property.label.toLowerCase() === wanted) {
        return property
      }
    }
    return undefined
  }

  /** The profile stored under this email, if any. */
  findProfileByEmail(email: string): OcambaProfile | undefined {
    const id = this.#profileIdsByEmail.get(emailKey(email))
    return id === undefined ? undefined : this.profiles.get(id)
  }

  /** The profile stored under this mobile phone number, if any. */
  findProfileByPhone(phone: string): OcambaProfile | undefined {
    const id = this.#profileIdsByPhone.get(phoneKey(phone))
    return id === undefined ? undefined : this.profiles.get(id)
  }

  /**
   * Creates or updates the profile the row resolves to, by the rule in `@profilesync/contracts` (`ocambaIdentity`):
   * its email when it has one (a new email is a new profile, whatever its phone number), else its mobile phone
   * number.
   */
  upsertProfile(
    values: Readonly<Record<string, string>>,
    importId: string,
    now: number,
    timestamp: string = formatTimestamp(now)
  ): OcambaProfile {
    const email = values.email?.trim() ?? ""
    const phone = values.mobile_phone_number?.trim() ?? ""
    const identity = ocambaIdentity({ email, mobile_phone_number: phone })
    let profile =
      identity === undefined
        ? undefined
        : identity.match.startsWith("email:")
          ? this.findProfileByEmail(email)
          : this.findProfileByPhone(phone)
    if (profile === undefined) {
      // 19-digit ids like the vendor's report example ("1759319234567890987"), kept as strings.
      const id = `17593${String(this.#nextProfileNumber++).padStart(14, "0")}`
      profile = { id, properties: {}, create_time: timestamp, update_time: timestamp, importIds: [] }
      this.profiles.set(id, profile)
    }
    const previousEmail = profile.properties.email
    const previousPhone = profile.properties.mobile_phone_number
    for (const target in values) {
      let interner = this.#interners.get(target)
      if (interner === undefined) {
        interner = new ValueInterner()
        this.#interners.set(target, interner)
      }
      profile.properties[target] = interner.intern(values[target]!)
    }
    profile.update_time = timestamp
    if (profile.importIds.at(-1) !== importId) {
      profile.importIds.push(importId)
    }
    if (email !== "") {
      if (previousEmail !== undefined && emailKey(previousEmail) !== emailKey(email)) {
        this.#profileIdsByEmail.delete(emailKey(previousEmail))
      }
      this.#profileIdsByEmail.set(emailKey(email), profile.id)
    }
    if (phone !== "") {
      if (previousPhone !== undefined && phoneKey(previousPhone) !== phoneKey(phone)) {
        this.#profileIdsByPhone.delete(phoneKey(previousPhone))
      }
      this.#profileIdsByPhone.set(phoneKey(phone), profile.id)
    }
    return profile
  }

  /** A plain-data copy for the inspection API (rows of imports are left out to keep dumps small). */
  toJSON(): object {
    return {
      id: this.id,
      companyId: this.companyId,
      memberId: this.memberId,
      properties: [...this.properties.values()],
      profiles: [...this.profiles.values()],
      imports: [...this.imports.values()].map(({ rows: _rows, ...record }) => ({ ...record, rowCount: _rows.length })),
      resyncs: this.resyncs
    }
  }
}

/**
 * Every simulated Ocamba account, by account id.
 *
 * @category Ocamba
 * @since 0.0.0
 */
export class OcambaState {
  readonly accounts = new Map<string, OcambaAccountState>()

  constructor(options: ResolvedSandboxOptions) {
    const now = options.now()
    for (const account of options.ocamba.accounts) {
      this.accounts.set(account.id, new OcambaAccountState(account, now))
    }
  }

  /** The state of one account; throws for an unknown id since that is a test's mistake. */
  account(id: string): OcambaAccountState {
    const account = this.accounts.get(id)
    if (account === undefined) {
      throw new Error(`No Ocamba account ${id} in the sandbox (accounts: ${[...this.accounts.keys()].join(", ")})`)
    }
    return account
  }

  toJSON(): object {
    return { accounts: Object.fromEntries([...this.accounts].map(([id, account]) => [id, account.toJSON()])) }
  }
}
