/// A server a test starts for itself, because it will stop or restart it.
public protocol DisposableServer: Sendable {
    /// Starts a new server on a free loopback port.
    static func start() async throws -> Self
    /// Stops the server if it runs and removes what it left behind.
    func destroy() async
}

extension DisposableServer {
    /// Starts a server, lends it to `body`, and destroys it afterwards whatever happens.
    public static func with<Result: Sendable>(_ body: (Self) async throws -> Result) async throws -> Result {
        let server = try await start()
        do {
            let result = try await body(server)
            await server.destroy()
            return result
        } catch {
            await server.destroy()
            throw error
        }
    }
}
