import HTTPTypes
import Hummingbird
import HearthRedis

/// Loads the visitor's session from the `hearth_session` cookie into the context, and renews
/// the cookie's lifetime as the session's TTL slides.
struct SessionMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let cookieName = "hearth_session"

    let sessions: SessionStore
    let cookies: SessionCookies

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        if let id = request.cookies[Self.cookieName]?.value {
            do {
                context.session = try await sessions.load(id: id)
            } catch is RedisError {
                throw HTTPError(.serviceUnavailable, message: "Hearth cannot reach its session store right now. Try again in a moment.")
            }
        }
        var response = try await next(request, context)
        if let session = context.session, response.headers[.setCookie] == nil {
            response.setCookie(cookies.cookie(for: session, request: request, context: context))
        }
        return response
    }
}

/// Builds the session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS.
struct SessionCookies: Sendable {
    let ttl: Duration
    let clientAddress: ClientAddress

    func cookie(for session: Session, request: Request, context: AppRequestContext) -> Cookie {
        Cookie(
            name: SessionMiddleware.cookieName, value: session.id, maxAge: Int(ttl.components.seconds), path: "/",
            secure: clientAddress.isHTTPS(request, context: context), httpOnly: true, sameSite: .lax
        )
    }

    /// A cookie that tells the browser to forget the session.
    func expired(request: Request, context: AppRequestContext) -> Cookie {
        Cookie(
            name: SessionMiddleware.cookieName, value: "", maxAge: 0, path: "/",
            secure: clientAddress.isHTTPS(request, context: context), httpOnly: true, sameSite: .lax
        )
    }
}
