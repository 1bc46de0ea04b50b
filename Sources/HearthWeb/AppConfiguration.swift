import Foundation
import Logging

/// Everything `hearth serve` needs to know, from the environment with local defaults.
///
/// | variable | default |
/// |---|---|
/// | `HOST` | `127.0.0.1` |
/// | `PORT` | `8080` |
/// | `DATABASE_URL` | `postgres://hearth:hearth@127.0.0.1:54329/hearth` |
/// | `REDIS_URL` | `redis://127.0.0.1:63799/0` |
/// | `REDIS_PREFIX` | `hearth` |
/// | `LOG_LEVEL` | `info` |
/// | `SESSION_TTL` | `604800` seconds (a week; slides on use) |
/// | `DATABASE_POOL_SIZE` | `8` |
/// | `REDIS_POOL_SIZE` | `4` |
/// | `TEMPLATES_DIR` | `templates` |
/// | `STATIC_DIR` | `static` |
/// | `TRUSTED_PROXIES` | empty: comma-separated addresses whose `X-Forwarded-*` headers are believed |
/// | `BCRYPT_COST` | `12` |
/// | `METRICS_ALLOWED` | `127.0.0.1,::1`: addresses that may read `/metrics` |
/// | `SEND_BURST` | `10`: messages a user may send in a burst |
/// | `SEND_RATE` | `5`: messages a second a user may send after the burst |
public struct AppConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var databaseURL = "postgres://hearth:hearth@127.0.0.1:54329/hearth"
    public var redisURL = "redis://127.0.0.1:63799/0"
    /// Prefix of Hearth's pub/sub channels (`REDIS_PREFIX`): instances of one deployment share
    /// it; deployments sharing a Redis need different ones.
    public var redisPrefix = "hearth"
    public var logLevel = Logger.Level.info
    public var sessionTTL = Duration.seconds(604_800)
    public var databasePoolSize = 8
    public var redisPoolSize = 4
    public var templatesDirectory = "templates"
    public var staticDirectory = "static"
    public var trustedProxies: [String] = []
    /// Addresses allowed to read `/metrics` (`METRICS_ALLOWED`, comma-separated).
    public var metricsAllowed = ["127.0.0.1", "::1"]
    /// bcrypt's cost factor (`BCRYPT_COST`); each step doubles the work.
    public var bcryptCost: UInt8 = 12
    /// Frames a WebSocket may have waiting beyond its socket's write buffer before its client
    /// counts as stuck and is cut off.
    public var outboundQueueCapacity = 512
    /// Messages a user may send in a burst, and the sustained rate after it.
    public var sendBurst = 10.0
    public var sendPerSecond = 5.0
    /// How long after a user's last connection to a room closes "X left" is written, unless they return.
    public var leaveGrace = Duration.seconds(5)

    /// The defaults.
    public init() {}

    /// Reads the variables in the table above; unset or empty ones keep their default.
    /// - Throws: ``ConfigurationError`` for a value that cannot be used.
    public init(environment: [String: String]) throws {
        func value(_ name: String) -> String? {
            environment[name].flatMap { $0.isEmpty ? nil : $0 }
        }
        func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
            guard let text = value(name) else { return nil }
            guard let number = Int(text), range.contains(number) else {
                throw ConfigurationError("\(name) must be a whole number in \(range.lowerBound)...\(range.upperBound)")
            }
            return number
        }
        host = value("HOST") ?? host
        port = try integer("PORT", in: 0...65535) ?? port
        databaseURL = value("DATABASE_URL") ?? databaseURL
        redisURL = value("REDIS_URL") ?? redisURL
        redisPrefix = value("REDIS_PREFIX") ?? redisPrefix
        if let level = value("LOG_LEVEL") {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw ConfigurationError("LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical")
            }
            logLevel = parsed
        }
        if let seconds = try integer("SESSION_TTL", in: 60...31_536_000) {
            sessionTTL = .seconds(seconds)
        }
        databasePoolSize = try integer("DATABASE_POOL_SIZE", in: 1...200) ?? databasePoolSize
        redisPoolSize = try integer("REDIS_POOL_SIZE", in: 1...200) ?? redisPoolSize
        templatesDirectory = value("TEMPLATES_DIR") ?? templatesDirectory
        staticDirectory = value("STATIC_DIR") ?? staticDirectory
        if let cost = try integer("BCRYPT_COST", in: 4...16) {
            bcryptCost = UInt8(cost)
        }
        if let burst = try integer("SEND_BURST", in: 1...1_000_000) {
            sendBurst = Double(burst)
        }
        if let rate = try integer("SEND_RATE", in: 1...1_000_000) {
            sendPerSecond = Double(rate)
        }
        if let allowed = value("METRICS_ALLOWED") {
            metricsAllowed = allowed.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        if let proxies = value("TRUSTED_PROXIES") {
            trustedProxies = proxies.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
    }
}

/// A configuration value that cannot be used.
public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
