import HTTPTypes
import Hummingbird
import Mustache

/// Renders pages from `templates/*.mustache`, loaded and checked once at start-up.
struct HTMLRenderer: Sendable {
    static let pages = ["login", "register", "rooms", "room", "error"]
    let library: MustacheLibrary

    /// Loads every template; fails fast when a page template is missing or does not parse.
    init(directory: String) async throws {
        library = try await MustacheLibrary(directory: directory)
        for page in Self.pages where library.getTemplate(named: page) == nil {
            throw ConfigurationError("template \(page).mustache is missing from \(directory)")
        }
    }

    /// Renders a page. `{{ }}` escapes HTML, so user text is always shown as text.
    func render(_ page: String, _ context: Any, status: HTTPResponse.Status = .ok) -> HTMLPage {
        HTMLPage(status: status, html: library.render(context, withTemplate: page) ?? "")
    }
}

/// A rendered page.
struct HTMLPage: ResponseGenerator {
    /// Pages load only Hearth's own scripts, styles and sockets: an injected `<script>` or
    /// inline handler would not run even if escaping ever failed.
    static let contentSecurityPolicy = "default-src 'self'; connect-src 'self'; img-src 'self' data:; object-src 'none'; "
        + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    var status: HTTPResponse.Status = .ok
    let html: String

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .contentSecurityPolicy: Self.contentSecurityPolicy,
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
                HTTPField.Name("Referrer-Policy")!: "same-origin",
            ],
            body: .init(byteBuffer: ByteBuffer(string: html))
        )
    }
}
