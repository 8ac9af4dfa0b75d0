/**
 * @module
 * Links to a key's history that do not show the key: with masked values a page must not carry a customer's email
 * address in its links either, so the key travels encrypted (AES-256-GCM, with a key made when the dashboard starts).
 * Such a link works until the dashboard restarts; the history page also takes a key typed into its form.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto"

/**
 * Seals and opens key references.
 *
 * @since 0.1.0
 * @category models
 */
export interface References {
  readonly seal: (key: string) => string
  /** The key, or `undefined` for a reference this process did not make. */
  readonly open: (reference: string) => string | undefined
}

/**
 * References sealed with a fresh random key.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeReferences = (): References => {
  const secret = randomBytes(32)
  return {
    seal: (key) => {
      const iv = randomBytes(12)
      const cipher = createCipheriv("aes-256-gcm", secret, iv)
      const sealed = Buffer.concat([cipher.update(key, "utf8"), cipher.final()])
      return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64url")
    },
    open: (reference) => {
      try {
        const bytes = Buffer.from(reference, "base64url")
        if (bytes.length < 28) return undefined
        const decipher = createDecipheriv("aes-256-gcm", secret, bytes.subarray(0, 12))
        decipher.setAuthTag(bytes.subarray(12, 28))
        return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString("utf8")
      } catch {
        return undefined
      }
    }
  }
}
