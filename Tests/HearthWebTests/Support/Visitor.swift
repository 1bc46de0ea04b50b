import Foundation
import HearthTestSupport
import Hummingbird
import HummingbirdTesting
import NIOCore

/// A browser's worth of state for tests: a cookie jar and helpers to fill in Hearth's forms.
final class Visitor: @unchecked Sendable {
    let hearth: TestHearth
    var cookie: String?

    init(_ hearth: TestHearth) {
        self.hearth = hearth
    }

    /// A unique, valid username.
    static func newName(_ prefix: String = "u") -> String {
        String(TestEnvironment.uniqueName(prefix).prefix(20))
    }

    @discardableResult
    func get(_ path: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        if let cookie { headers[.cookie] = cookie }
        let response = try await hearth.client.execute(uri: path, method: .get, headers: headers)
        remember(response)
        return response
    }

    @discardableResult
    func post(_ path: String, _ form: [(String, String)], headers: HTTPFields = [:]) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = "application/x-www-form-urlencoded"
        if let cookie { headers[.cookie] = cookie }
        let body = form.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        let response = try await hearth.client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
        remember(response)
        return response
    }

    /// The CSRF token of the first form on a page.
    func csrf(on path: String) async throws -> String {
        let html = String(buffer: try await get(path).body)
        guard let range = html.range(of: #"name="csrf" value="([^"]*)""#, options: .regularExpression) else {
            throw TestSupportError("no CSRF token on \(path)")
        }
        return String(html[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
    }

    /// Registers and stays logged in.
    @discardableResult
    func register(_ username: String, password: String = "correct horse") async throws -> TestResponse {
        let token = try await csrf(on: "/register")
        return try await post("/register", [("csrf", token), ("username", username), ("password", password), ("confirmation", password), ("next", "/rooms")])
    }

    /// Creates a room (as the logged-in user).
    @discardableResult
    func createRoom(_ name: String) async throws -> TestResponse {
        try await post("/rooms", [("csrf", try await csrf(on: "/rooms")), ("name", name)])
    }

    /// A new visitor, registered under a fresh name starting with `prefix`.
    static func registered(on hearth: TestHearth, _ prefix: String = "u") async throws -> (Visitor, String) {
        let visitor = Visitor(hearth)
        let name = newName(prefix)
        try await visitor.register(name)
        return (visitor, name)
    }

    /// Opens the room's WebSocket from the start of its history and waits for `ready`.
    func joined(_ room: String) async throws -> RawWebSocket {
        let socket = try await socket(room, after: 0)
        _ = try await socket.next("ready")
        return socket
    }

    /// Opens the room's WebSocket with this visitor's cookie and a same-origin Origin.
    func socket(_ room: String, after: Int64? = nil, origin: String? = nil, receiveBuffer: Int? = nil) async throws -> RawWebSocket {
        var headers = ["Origin": origin ?? "http://127.0.0.1:\(hearth.port)"]
        if let cookie { headers["Cookie"] = cookie }
        let query = after.map { "?after=\($0)" } ?? ""
        return try await RawWebSocket.connect(port: hearth.port, path: "/rooms/\(room)/ws\(query)", headers: headers, receiveBuffer: receiveBuffer)
    }

    private func remember(_ response: TestResponse) {
        for value in response.headers[values: .setCookie] {
            guard let pair = value.split(separator: ";").first, pair.hasPrefix("hearth_session=") else { continue }
            cookie = pair.hasSuffix("=") ? nil : String(pair)
        }
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
}
