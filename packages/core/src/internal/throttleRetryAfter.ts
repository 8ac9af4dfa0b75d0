/**
 * Parsing of the `Retry-After` response header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, plus the `-1` some
 * vendors send to ask for fewer concurrent calls instead of a pause.
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Model from "./throttleModel.ts"

const months: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11
}

// The three HTTP-date forms RFC 9110 §5.6.7 tells recipients to accept. `Date.parse` is not used: it accepts almost
// anything (it reads "5" as the year 2001) and reads the asctime form, which has no zone, as local time.
const imfFixdate = /^[A-Z][a-z]{2}, (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/
const rfc850 = /^[A-Z][a-z]+, (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/
const asctime = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/

const utc = (
  year: number,
  month: string,
  day: number,
  hour: number,
  minute: number,
  second: number
): number | undefined => {
  const monthIndex = months[month]
  if (monthIndex === undefined || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined
  return Date.UTC(year, monthIndex, day, hour, minute, second)
}

/** Epoch milliseconds of an HTTP-date, or undefined when the text is not one. */
export const parseHttpDate = (text: string, nowMillis: number): number | undefined => {
  let match = imfFixdate.exec(text)
  if (match !== null) {
    const [, day, month, year, hour, minute, second] = match
    return utc(Number(year), month!, Number(day), Number(hour), Number(minute), Number(second))
  }
  match = rfc850.exec(text)
  if (match !== null) {
    const [, day, month, shortYear, hour, minute, second] = match
    // RFC 9110: a two-digit year that would be more than 50 years in the future means the most recent past year.
    const currentYear = new Date(nowMillis).getUTCFullYear()
    let year = Math.floor(currentYear / 100) * 100 + Number(shortYear)
    if (year > currentYear + 50) year -= 100
    return utc(year, month!, Number(day), Number(hour), Number(minute), Number(second))
  }
  match = asctime.exec(text)
  if (match !== null) {
    const [, month, day, hour, minute, second, year] = match
    return utc(Number(year), month!, Number(day!.trim()), Number(hour), Number(minute), Number(second))
  }
  return undefined
}

/** Parses a `Retry-After` value; `None` when absent or unreadable. */
export const parse = (
  header: string | null | undefined,
  now: Date | number,
  max: Duration.Duration
): Option.Option<Model.RetryAfter> => {
  if (header === null || header === undefined) return Option.none()
  const text = header.trim()
  if (text === "-1") return Option.some(Model.RetryAfter.LowerConcurrency())
  const nowMillis = typeof now === "number" ? now : now.getTime()
  const cap = (millis: number) =>
    Option.some(Model.RetryAfter.Delay({ delay: Duration.min(Duration.millis(Math.max(0, millis)), max) }))
  // RFC 9110 allows whole seconds only; a fraction is accepted because some servers send one.
  if (/^\d+(\.\d+)?$/.test(text)) return cap(Number(text) * 1000)
  const date = parseHttpDate(text, nowMillis)
  return date === undefined ? Option.none() : cap(date - nowMillis)
}
