import HearthStorage
import Hummingbird
import Logging

/// The request context every Hearth route sees.
public typealias AppRequestContext = BasicRequestContext

/// Builds the Hearth application: clients, routes and services. `hearth serve` runs it; tests
/// call it too, with their own configuration.
///
/// Pending migrations are applied before the server accepts connections.
public func buildApplication(
    _ configuration: AppConfiguration,
    logger: Logger
) throws -> some ApplicationProtocol {
    let services = try AppServices(configuration: configuration, logger: logger)
    let router = Router(context: AppRequestContext.self)
    HealthController(postgres: services.postgres, redis: services.redis).addRoutes(to: router)

    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Hearth"),
        services: [services.postgres, services.redis],
        logger: logger
    )
    app.beforeServerStarts {
        try await Migrator(client: services.postgres, migrations: Migration.bundled(), logger: logger).migrate()
    }
    return app
}
