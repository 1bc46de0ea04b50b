import Foundation

/// Where and how to connect to Redis.
public struct RedisConfiguration: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var password: String?
    /// The logical database (`SELECT n`).
    public var database: Int
    /// How long opening a connection may take.
    public var connectTimeout: Duration
    /// How long one command may wait for its reply before the connection is given up.
    public var commandTimeout: Duration

    public init(
        host: String = "127.0.0.1",
        port: Int = 6379,
        password: String? = nil,
        database: Int = 0,
        connectTimeout: Duration = .seconds(2),
        commandTimeout: Duration = .seconds(2)
    ) {
        self.host = host
        self.port = port
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
    }

    /// Parses `redis://[:password@]host[:port][/database]`.
    /// - Throws: ``RedisError`` with code `invalidConfiguration`.
    public init(url string: String) throws {
        guard let components = URLComponents(string: string), components.scheme == "redis",
              let host = components.host, !host.isEmpty
        else {
            throw RedisError(code: .invalidConfiguration, message: "expected redis://[:password@]host:port/database")
        }
        let path = components.path.drop(while: { $0 == "/" })
        guard path.isEmpty || Int(path) != nil else {
            throw RedisError(code: .invalidConfiguration, message: "the database must be a number")
        }
        self.init(host: host, port: components.port ?? 6379, password: components.password, database: Int(path) ?? 0)
    }

    /// `host:port/database`: never the password.
    public var description: String { "\(host):\(port)/\(database)" }
}

extension Duration {
    /// As a `timeval` for hiredis.
    var timeval: timeval {
        let (seconds, attoseconds) = components
        return Glibc.timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
    }
}
