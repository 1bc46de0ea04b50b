import Foundation
import HearthPostgres
import HearthRedis
import Logging

/// Where tests find the Postgres and Redis that `make test` starts, with the same local defaults
/// as `scripts/services`. Tests refuse to touch anything but loopback.
public enum TestEnvironment {
    /// An administrative connection (database `postgres`) used to create per-test databases.
    public static var postgresAdmin: PostgresConfiguration {
        get throws {
            let url = ProcessInfo.processInfo.environment["HEARTH_TEST_DATABASE_URL"]
                ?? "postgres://hearth:hearth@127.0.0.1:54329/postgres"
            var configuration = try PostgresConfiguration(url: url)
            try requireLoopback(configuration.host)
            configuration.sslMode = "disable"
            return configuration
        }
    }

    /// The shared test Redis. Tests isolate their keys with ``uniqueName(_:)`` prefixes.
    public static var redis: RedisConfiguration {
        get throws {
            let url = ProcessInfo.processInfo.environment["HEARTH_TEST_REDIS_URL"] ?? "redis://127.0.0.1:63799/0"
            let configuration = try RedisConfiguration(url: url)
            try requireLoopback(configuration.host)
            return configuration
        }
    }

    /// A logger for tests; `HEARTH_TEST_LOG_LEVEL=debug` shows more.
    public static func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = ProcessInfo.processInfo.environment["HEARTH_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .error
        return logger
    }

    /// A name no other test uses: `prefix_` plus random hex.
    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }

    static func requireLoopback(_ host: String) throws {
        guard ["127.0.0.1", "localhost", "::1"].contains(host) || host.hasPrefix("127.") else {
            throw TestSupportError("tests only run against loopback servers, not \(host)")
        }
    }
}

/// Something in the test set-up went wrong.
public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
