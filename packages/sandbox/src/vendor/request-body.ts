/**
 * @module
 * Reads a request body by its media type: JSON, PHP-style form encoding, or multipart with files, refusing bodies
 * larger than the operation's documented upload limit before reading them.
 */
import { parsePhpForm } from "@profilesync/contracts"

/**
 * A parsed body and the media type to validate it as.
 *
 * @category Vendor apps
 * @since 0.0.0
 */
export type BodyReading =
  | { readonly ok: true; readonly body: unknown; readonly contentType: string | undefined }
  | { readonly ok: false; readonly message: string }

const mediaTypeOf = (contentType: string | null): string => (contentType ?? "").split(";")[0]!.trim().toLowerCase()

/**
 * Reads the body of `request`.
 *
 * **Details**: multipart fields come back as a plain object; a field sent several times (or named `name[]`) becomes
 * a list. Form-encoded bodies are validated as JSON because the specs model only JSON while the vendor takes both.
 *
 * @category Vendor apps
 * @since 0.0.0
 */
export const readRequestBody = async (
  request: Request,
  options: { readonly maximumBytes?: number | undefined } = {}
): Promise<BodyReading> => {
  if (request.method === "GET" || request.method === "HEAD") {
    return { ok: true, body: undefined, contentType: undefined }
  }
  const declaredLength = Number(request.headers.get("content-length") ?? Number.NaN)
  // Multipart framing adds a few hundred bytes to the file; the limit is on the file, checked again below.
  if (options.maximumBytes !== undefined && declaredLength > options.maximumBytes + 64 * 1024) {
    return { ok: false, message: `request body: larger than the limit of ${options.maximumBytes} bytes` }
  }
  const contentType = request.headers.get("content-type")
  const mediaType = mediaTypeOf(contentType)
  if (mediaType === "multipart/form-data") {
    let form: FormData
    try {
      form = await request.formData()
    } catch (error) {
      return { ok: false, message: `request body: not valid multipart/form-data (${describe(error)})` }
    }
    const fields: Record<string, unknown> = {}
    for (const [rawName, value] of form.entries()) {
      if (typeof value !== "string" && options.maximumBytes !== undefined && value.size > options.maximumBytes) {
        return {
          ok: false,
          message: `request body /${rawName}: larger than the limit of ${options.maximumBytes} bytes`
        }
      }
      const listName = rawName.endsWith("[]") ? rawName.slice(0, -2) : undefined
      const name = listName ?? rawName
      const existing = fields[name]
      if (existing === undefined) {
        fields[name] = listName === undefined ? value : [value]
      } else {
        fields[name] = [...(Array.isArray(existing) ? existing : [existing]), value]
      }
    }
    return { ok: true, body: fields, contentType: contentType ?? undefined }
  }
  const text = await request.text()
  if (text.trim() === "") {
    return { ok: true, body: undefined, contentType: contentType ?? undefined }
  }
  if (mediaType === "application/x-www-form-urlencoded") {
    return { ok: true, body: parsePhpForm(text), contentType: "application/json" }
  }
  try {
    return { ok: true, body: JSON.parse(text) as unknown, contentType: contentType ?? undefined }
  } catch (error) {
    return { ok: false, message: `request body: not valid JSON (${describe(error)})` }
  }
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error))
