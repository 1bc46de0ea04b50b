import ArgumentParser
import Foundation
import HearthWeb
import Logging

/// Flags shared by the subcommands; each overrides the environment variable of the same name.
struct ConfigurationOptions: ParsableArguments {
    @Option(help: "Address to listen on (HOST).") var host: String?
    @Option(help: "Port to listen on (PORT).") var port: Int?
    @Option(help: "PostgreSQL URL (DATABASE_URL).") var databaseURL: String?
    @Option(help: "Redis URL (REDIS_URL).") var redisURL: String?
    @Option(help: "trace, debug, info, notice, warning, error or critical (LOG_LEVEL).") var logLevel: String?

    /// The environment's configuration with these flags applied.
    func resolve() throws -> AppConfiguration {
        var environment = ProcessInfo.processInfo.environment
        environment["HOST"] = host ?? environment["HOST"]
        environment["PORT"] = port.map(String.init) ?? environment["PORT"]
        environment["DATABASE_URL"] = databaseURL ?? environment["DATABASE_URL"]
        environment["REDIS_URL"] = redisURL ?? environment["REDIS_URL"]
        environment["LOG_LEVEL"] = logLevel ?? environment["LOG_LEVEL"]
        return try AppConfiguration(environment: environment)
    }

    /// A logger at the configured level, writing to standard error.
    func logger(for configuration: AppConfiguration) -> Logger {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: "hearth")
        logger.logLevel = configuration.logLevel
        return logger
    }
}
