/**
 * @module
 * Copernica's paging wrapper `{start, limit, count, total, data}` (CDoc `rest-paging.md`): `limit` defaults to 100
 * and is at most 1000 (the spec's validation refuses more), and `total=false` leaves `total` out.
 */
import { phpBoolean } from "@profilesync/contracts"

/**
 * Reads a boolean query value as Copernica does (`phpBoolean`: `1`, `true`, `yes` are true; `0`, empty are false).
 *
 * @category Copernica
 * @since 0.0.0
 */
export const queryBoolean = (value: string | null, fallback: boolean): boolean =>
  value === null ? fallback : phpBoolean(value)

/**
 * Cuts one page out of `items` and wraps it.
 *
 * @category Copernica
 * @since 0.0.0
 */
export const page = <Item>(
  items: ReadonlyArray<Item>,
  query: URLSearchParams
): { start: number; limit: number; count: number; total?: number; data: Array<Item> } => {
  const start = Number(query.get("start") ?? 0)
  const limit = Number(query.get("limit") ?? 100)
  const data = items.slice(start, start + limit)
  return {
    start,
    limit,
    count: data.length,
    data,
    ...(queryBoolean(query.get("total"), true) ? { total: items.length } : {})
  }
}
