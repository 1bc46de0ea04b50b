import ArgumentParser
import HearthStorage
import HearthWeb

/// `hearth migrate`: applies pending migrations and exits.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        let configuration = try options.resolve()
        let logger = options.logger(for: configuration)
        let services = try AppServices(configuration: configuration, logger: logger)
        do {
            let applied = try await Migrator(client: services.postgres, migrations: Migration.bundled(), logger: logger).migrate()
            logger.info("migrations done", metadata: ["applied": "\(applied)"])
            await services.postgres.shutdown()
        } catch {
            await services.postgres.shutdown()
            throw error
        }
    }
}
