import CallQAModel
import Foundation

/// How the workspace server runs: where it listens, how cookies are marked, how long
/// sessions last and when logins are throttled. Every value has a default fit for one
/// contact center behind a TLS reverse proxy on the same machine.
public struct WorkspaceConfiguration: Sendable {
    /// Address to bind (default loopback only).
    public var host: String = "127.0.0.1"
    /// TCP port (1–65535; 0 lets the system choose).
    public var port: Int = 8080
    /// Mark cookies `Secure` (and name the session cookie `__Host-…`): set it whenever the
    /// browser reaches the workspace over HTTPS (a TLS reverse proxy).
    public var secureCookies: Bool = false
    /// Allow plain HTTP with cookies that are not `Secure` on a non-loopback address.
    public var insecureHTTP: Bool = false
    /// A session unused this long ends (s).
    public var idleTimeoutS: Double = 30 * 60
    /// A session ends this long after login whatever its use (s).
    public var sessionLifetimeS: Double = 12 * 3600
    /// Failed logins are counted over this window (s).
    public var throttleWindowS: Double = 15 * 60
    /// Failed logins of one user name within the window (since its last successful login)
    /// after which its logins are refused with 429 until the window has passed.
    public var maxFailuresPerAccount: Int = 5
    /// Failed logins from one client address within the window after which logins from it
    /// are refused with 429 (higher: an office behind one NAT address shares it).
    public var maxFailuresPerAddress: Int = 20
    /// Take the client address from `X-Real-IP` (set by the reverse proxy) instead of the
    /// connection's peer, which behind a proxy is always the proxy itself.
    public var clientAddressFromProxy: Bool = false
    /// bcrypt cost of password hashes made by the server (none yet; `users` uses 12).
    public var bcryptCost: UInt8 = Secrets.bcryptCost
    /// How long after an evaluator answer is stored it may be disputed (default 7 days;
    /// `--dispute-window-days`, or `disputes.window_days` in the settings file).
    public var disputeWindow = DisputeWindow()
    /// API requests one caller (a token, or a user's browser session) may make at once
    /// before it must slow down to `apiRatePerS`.
    public var apiBurst: Double = 60
    /// API requests per second one caller may make on average.
    public var apiRatePerS: Double = 10
    /// The largest body of an API survey import (bytes): 40,000–70,000 CSV rows, imported in
    /// one transaction; larger files go through `callqa nps import` or several requests.
    public var apiMaxImportBytes: Int = 4 << 20
    /// The largest body of any other API write (bytes).
    public var apiMaxBodyBytes: Int = 64 << 10
    /// The clock (epoch seconds); tests move it instead of waiting.
    public var now: @Sendable () -> Double = { Date().timeIntervalSince1970 }

    public init() {}

    /// Name of the session cookie: the `__Host-` prefix makes browsers insist on `Secure`,
    /// `Path=/` and no `Domain`, so no other host or path can set or shadow it.
    public var sessionCookieName: String { secureCookies ? "__Host-callqa_session" : "callqa_session" }
    /// Name of the short-lived cookie that carries the login form's CSRF token.
    public var loginCookieName: String { secureCookies ? "__Host-callqa_login" : "callqa_login" }

    /// Why this binding is refused, or nil: a non-loopback address with cookies that are not
    /// `Secure` would send session cookies over the network in clear, so it needs
    /// `--insecure-http` said out loud.
    public var bindingProblem: String? {
        if Self.isLoopback(host) || secureCookies || insecureHTTP { return nil }
        return "refusing to listen on '\(host)' (not a loopback address) with cookies that are not Secure: "
            + "put a TLS reverse proxy in front and pass --secure-cookies (see README), "
            + "or pass --insecure-http to send session cookies over plain HTTP anyway"
    }

    /// `127.0.0.0/8`, `::1`, `localhost`.
    public static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased()
        if h == "localhost" || h == "::1" || h == "[::1]" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { p in UInt8(p) != nil }
    }
}
