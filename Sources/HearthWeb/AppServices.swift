import HearthPostgres
import HearthRedis
import Logging

/// The long-lived clients the application shares between its controllers.
public struct AppServices: Sendable {
    public let postgres: PostgresClient
    public let redis: RedisClient
    /// Where Redis is, for connections outside the pool (the pub/sub subscriber).
    public let redisConfiguration: RedisConfiguration

    /// Creates the clients; they connect lazily.
    public init(configuration: AppConfiguration, logger: Logger) throws {
        var postgresConfiguration = try PostgresConfiguration(url: configuration.databaseURL)
        postgresConfiguration.applicationName = "hearth"
        postgres = PostgresClient(
            configuration: postgresConfiguration,
            pool: .init(maxConnections: configuration.databasePoolSize),
            logger: logger
        )
        redisConfiguration = try RedisConfiguration(url: configuration.redisURL)
        redis = RedisClient(
            configuration: redisConfiguration,
            pool: .init(maxConnections: configuration.redisPoolSize),
            logger: logger
        )
    }
}
