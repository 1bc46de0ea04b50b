import Foundation

/// Where and how to connect to PostgreSQL.
///
/// Settings are handed to libpq as keyword/value pairs (`PQconnectdbParams`), never as a
/// formatted connection string, so no value can inject another keyword.
public struct PostgresConfiguration: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    /// libpq `sslmode`; `disable` for a loopback server.
    public var sslMode: String
    /// Seconds libpq waits for a connection to open.
    public var connectTimeout: Int
    /// Reported to the server as `application_name`.
    public var applicationName: String

    public init(
        host: String = "127.0.0.1",
        port: Int = 5432,
        user: String,
        password: String? = nil,
        database: String,
        sslMode: String = "prefer",
        connectTimeout: Int = 5,
        applicationName: String = "hearth"
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.sslMode = sslMode
        self.connectTimeout = connectTimeout
        self.applicationName = applicationName
    }

    /// Parses a `postgres://user:password@host:port/database?sslmode=...` URL.
    /// - Throws: ``PostgresError/Code-swift.struct/invalidConfiguration`` when the URL is malformed.
    public init(url string: String) throws {
        guard let components = URLComponents(string: string),
              components.scheme == "postgres" || components.scheme == "postgresql",
              let host = components.host, !host.isEmpty
        else {
            throw PostgresError(code: .invalidConfiguration, message: "expected postgres://user:password@host:port/database")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        self.init(
            host: host,
            port: components.port ?? 5432,
            user: components.user ?? "postgres",
            password: components.password,
            database: database.isEmpty ? (components.user ?? "postgres") : database
        )
        for item in components.queryItems ?? [] {
            switch item.name {
            case "sslmode": sslMode = item.value ?? sslMode
            case "connect_timeout": connectTimeout = item.value.flatMap(Int.init) ?? connectTimeout
            case "application_name": applicationName = item.value ?? applicationName
            default:
                throw PostgresError(code: .invalidConfiguration, message: "unsupported URL parameter \(item.name)")
            }
        }
    }

    /// The keyword/value pairs handed to `PQconnectdbParams`.
    var libpqParameters: [(String, String)] {
        var parameters = [
            ("host", host), ("port", String(port)), ("user", user), ("dbname", database),
            ("sslmode", sslMode), ("connect_timeout", String(connectTimeout)),
            ("application_name", applicationName),
            // Keepalives notice a dead server on an idle connection.
            ("keepalives", "1"), ("keepalives_idle", "30"),
        ]
        if let password { parameters.append(("password", password)) }
        return parameters
    }

    /// `user@host:port/database`: never the password.
    public var description: String { "\(user)@\(host):\(port)/\(database)" }
}
