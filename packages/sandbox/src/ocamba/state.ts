/**
 * @module
 * What a simulated Ocamba account holds: profile properties (system ones pre-seeded), import sessions with their
 * per-row reports, the profile store keyed by email or mobile phone number, and recorded resync requests.
 */
import { ocambaEmailKey, ocambaPhoneKey } from "@profilesync/contracts"
import type { ResolvedSandboxOptions } from "../options.ts"
import { formatTimestamp } from "../time.ts"
import type { Flag, OcambaImport } from "./import-record.ts"
import { type OcambaProfile, OcambaProfileStore } from "./profile-store.ts"

export type {
  Flag,
  OcambaImport,
  OcambaImportStatus,
  OcambaMappingItem,
  OcambaReportRow
} from "./import-record.ts"
export type { OcambaProfile } from "./profile-store.ts"

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
  /** The profiles, by id; read as copies. */
  readonly profiles = new OcambaProfileStore()
  readonly imports = new Map<string, OcambaImport>()
  readonly resyncs: Array<OcambaResync> = []
  #nextPropertyId = 1000100

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
    const slot = this.profiles.slotByEmail(email)
    return slot === undefined ? undefined : this.profiles.profileAt(slot)
  }

  /** The profile stored under this mobile phone number, if any. */
  findProfileByPhone(phone: string): OcambaProfile | undefined {
    const slot = this.profiles.slotByPhone(phone)
    return slot === undefined ? undefined : this.profiles.profileAt(slot)
  }

  /**
   * Creates or updates the profile the row resolves to, by the rule in `@profilesync/contracts` (`ocambaIdentity`):
   * its email when it has one (a new email is a new profile, whatever its phone number), else its mobile phone
   * number. Returns a copy of the profile as written (import processing writes through `profiles.upsert`, which
   * makes no copy).
   */
  upsertProfile(
    values: Readonly<Record<string, string>>,
    importId: string,
    now: number,
    timestamp: string = formatTimestamp(now)
  ): OcambaProfile {
    const targets = Object.keys(values)
    const slot = this.profiles.upsert(
      targets,
      targets.map((target) => values[target]),
      importId,
      timestamp
    )
    return this.profiles.profileAt(slot)
  }

  /** A plain-data copy for the inspection API (rows of imports are left out to keep dumps small). */
  toJSON(): object {
    return {
      id: this.id,
      companyId: this.companyId,
      memberId: this.memberId,
      properties: [...this.properties.values()],
      profiles: [...this.profiles.values()],
      imports: [...this.imports.values()].map((record) => record.toJSON()),
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
