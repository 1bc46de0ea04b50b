import HearthCore
import HearthStorage
import Hummingbird
import HummingbirdBcrypt
import NIOPosix

/// Register, log in, log out.
struct AuthController: Sendable {
    let users: any UserRepository
    let sessions: SessionStore
    let cookies: SessionCookies
    let throttle: LoginThrottle
    let clientAddress: ClientAddress
    let renderer: HTMLRenderer
    let bcryptCost: UInt8
    /// A valid hash of a random password nobody knows, at the same cost as real ones: unknown
    /// users cost a bcrypt check too, so timing does not tell which names exist.
    let unknownUserHash: String

    /// Hashes the stand-in password on NIO's thread pool, not on the caller's thread.
    init(users: any UserRepository, sessions: SessionStore, cookies: SessionCookies, throttle: LoginThrottle,
         clientAddress: ClientAddress, renderer: HTMLRenderer, bcryptCost: UInt8) async throws {
        self.users = users
        self.sessions = sessions
        self.cookies = cookies
        self.throttle = throttle
        self.clientAddress = clientAddress
        self.renderer = renderer
        self.bcryptCost = bcryptCost
        self.unknownUserHash = try await NIOThreadPool.singleton.runIfActive {
            Bcrypt.hash(SessionStore.randomToken(), cost: bcryptCost)
        }
    }

    struct Form: Decodable {
        var username: String?
        var password: String?
        var confirmation: String?
        var csrf: String?
        var next: String?
    }

    struct Page {
        let csrf: String
        let next: String
        let username: String
        let error: String?
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/register") { request, context in try await showForm("register", request: request, context: context) }
        router.get("/login") { request, context in try await showForm("login", request: request, context: context) }
        router.post("/register") { request, context in try await register(request, context: context) }
        router.post("/login") { request, context in try await login(request, context: context) }
        router.post("/logout") { request, context in try await logout(request, context: context) }
    }

    private func showForm(_ page: String, request: Request, context: AppRequestContext) async throws -> Response {
        if context.session?.user != nil { return .seeOther(safeNextPath(request.uri.queryParameters.get("next"))) }
        var session = context.session
        if session == nil { session = try await sessions.create(for: nil) }
        guard let session else { throw HTTPError(.internalServerError) }
        var response = try renderer.render(page, Page(csrf: session.csrfToken, next: safeNextPath(request.uri.queryParameters.get("next")), username: "", error: nil))
            .response(from: request, context: context)
        response.setCookie(cookies.cookie(for: session, request: request, context: context))
        return response
    }

    private func register(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.decode(as: Form.self, context: context)
        try requireCSRF(form.csrf, context: context)
        let next = safeNextPath(form.next)
        func refuse(_ message: String, status: HTTPResponse.Status = .unprocessableContent) throws -> Response {
            try renderer.render("register", Page(csrf: context.session!.csrfToken, next: next, username: form.username ?? "", error: message), status: status)
                .response(from: request, context: context)
        }
        let username: String
        let password = form.password ?? ""
        do {
            username = try NameRules.validate(form.username ?? "", kind: "username")
            try PasswordRules.validate(password, confirmation: form.confirmation ?? "")
        } catch let error as ValidationError {
            return try refuse(error.message)
        }
        let cost = bcryptCost
        let hash = try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
        let user: User
        do {
            user = try await users.create(username: username, passwordHash: hash)
        } catch StorageError.usernameTaken {
            return try refuse("That username is taken.", status: .conflict)
        }
        return try await startSession(for: user, replacing: context.session, redirectTo: next, request: request, context: context)
    }

    private func login(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.decode(as: Form.self, context: context)
        try requireCSRF(form.csrf, context: context)
        let next = safeNextPath(form.next)
        let username = (form.username ?? "").trimmingWhitespace()
        let password = form.password ?? ""
        let address = clientAddress.address(of: request, context: context)
        func refuse(_ message: String, status: HTTPResponse.Status) throws -> Response {
            try renderer.render("login", Page(csrf: context.session!.csrfToken, next: next, username: username, error: message), status: status)
                .response(from: request, context: context)
        }
        guard try await throttle.allows(username: username, address: address) else {
            return try refuse("Too many failed attempts. Wait a few minutes and try again.", status: .tooManyRequests)
        }
        let credentials = try await users.findCredentials(username: username)
        let hash = credentials?.passwordHash ?? unknownUserHash
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
        guard let user = credentials?.user, matches else {
            try await throttle.recordFailure(username: username, address: address)
            return try refuse("Wrong username or password.", status: .unauthorized)
        }
        try await throttle.recordSuccess(username: username)
        return try await startSession(for: user, replacing: context.session, redirectTo: next, request: request, context: context)
    }

    private func logout(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await request.decode(as: Form.self, context: context)
        try requireCSRF(form.csrf, context: context)
        if let session = context.session { try await sessions.delete(id: session.id) }
        var response = Response.seeOther("/login")
        response.setCookie(cookies.expired(request: request, context: context))
        return response
    }

    /// Replaces the visitor's session with a new one for `user` (a fresh id defeats fixation).
    private func startSession(for user: User, replacing old: Session?, redirectTo next: String, request: Request, context: AppRequestContext) async throws -> Response {
        if let old { try await sessions.delete(id: old.id) }
        let session = try await sessions.create(for: user)
        var response = Response.seeOther(next)
        response.setCookie(cookies.cookie(for: session, request: request, context: context))
        return response
    }
}
