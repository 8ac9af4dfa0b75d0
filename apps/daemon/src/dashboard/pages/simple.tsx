/**
 * @module
 * The login form (when an access token is configured) and the page shown for a missing page or a failed read.
 */
import { Layout } from "./layout.tsx"

/**
 * The login form: the token is posted once and exchanged for an HttpOnly, SameSite=Strict cookie.
 *
 * @since 0.1.0
 * @category pages
 */
export const LoginPage = (props: { readonly failed: boolean }) => (
  <Layout title="Sign in" crumbs={[{ label: "sign in" }]} showValues={false}>
    {props.failed ? <p role="alert">That token is not the dashboard's.</p> : null}
    <form method="post" action="/login">
      <label for="token">Access token (PROFILESYNC_DASHBOARD_TOKEN)</label>{" "}
      <input id="token" name="token" type="password" required autocomplete="current-password" />{" "}
      <button type="submit">Sign in</button>
    </form>
  </Layout>
)

/**
 * A page that says what is wrong, and nothing more (never an error's details, which may quote a connection).
 *
 * @since 0.1.0
 * @category pages
 */
export const MessagePage = (props: {
  readonly title: string
  readonly message: string
  readonly showValues: boolean
}) => (
  <Layout title={props.title} crumbs={[{ label: props.title }]} showValues={props.showValues}>
    <p>{props.message}</p>
    <p>
      <a href="/">Back to the syncs</a>
    </p>
  </Layout>
)
