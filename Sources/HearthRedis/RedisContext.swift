import CHiredis
import Foundation

/// Helpers over a raw hiredis context; used only by the actor or thread that owns it.
enum RedisContext {
    /// Opens a blocking context with timeouts and keepalive, then AUTH and SELECT as configured.
    static func open(_ configuration: RedisConfiguration) throws -> UnsafeMutablePointer<redisContext> {
        guard let context = redisConnectWithTimeout(configuration.host, Int32(configuration.port), configuration.connectTimeout.timeval) else {
            throw RedisError(code: .connectionFailed, message: "hiredis could not allocate a context")
        }
        guard context.pointee.err == 0 else {
            let message = errorText(context)
            redisFree(context)
            throw RedisError(code: .connectionFailed, message: message)
        }
        redisSetTimeout(context, configuration.commandTimeout.timeval)
        redisEnableKeepAlive(context)
        do {
            if let password = configuration.password {
                _ = try command(context, ["AUTH".redisBytes, password.redisBytes])
            }
            if configuration.database != 0 {
                _ = try command(context, ["SELECT".redisBytes, configuration.database.redisBytes])
            }
        } catch let error as RedisError {
            redisFree(context)
            throw RedisError(code: .connectionFailed, message: error.serverMessage)
        }
        return context
    }

    /// Sends one command and waits for its reply.
    static func command(_ context: UnsafeMutablePointer<redisContext>, _ arguments: [[UInt8]]) throws -> RedisValue {
        let raw = withRedisArgv(arguments) { argc, argv, argvlen in
            redisCommandArgv(context, argc, argv, argvlen)
        }
        guard let raw else { throw ioError(context) }
        let reply = raw.assumingMemoryBound(to: redisReply.self)
        defer { freeReplyObject(raw) }
        let value = copy(reply)
        if case .error(let message) = value {
            throw RedisError(code: .errorReply, message: message)
        }
        return value
    }

    /// Queues a command in the output buffer and writes it out.
    static func write(_ context: UnsafeMutablePointer<redisContext>, _ arguments: [[UInt8]]) throws {
        let appended = withRedisArgv(arguments) { argc, argv, argvlen in
            redisAppendCommandArgv(context, argc, argv, argvlen)
        }
        guard appended == REDIS_OK else { throw ioError(context) }
        var done: Int32 = 0
        while done == 0 {
            guard redisBufferWrite(context, &done) == REDIS_OK else { throw ioError(context) }
        }
    }

    /// Copies a reply tree into Swift values. The caller frees `reply`.
    static func copy(_ reply: UnsafeMutablePointer<redisReply>) -> RedisValue {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            return .bulkString(bytes(r.str, r.len))
        case REDIS_REPLY_STATUS:
            return .status(String(decoding: bytes(r.str, r.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: bytes(r.str, r.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .integer(Int(r.integer))
        case REDIS_REPLY_ARRAY:
            return .array((0..<r.elements).map { copy(r.element[$0]!) })
        default:
            return .null
        }
    }

    private static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, _ length: Int) -> [UInt8] {
        guard let pointer else { return [] }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
    }

    static func ioError(_ context: UnsafeMutablePointer<redisContext>) -> RedisError {
        let message = errorText(context)
        // A read that hit SO_RCVTIMEO reports EAGAIN.
        let timedOut = context.pointee.err == REDIS_ERR_IO && message.contains("temporarily unavailable")
        return RedisError(code: timedOut ? .timeout : .connectionLost, message: message)
    }

    static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { buffer in
            String(decoding: buffer.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }

    /// Whether an idle context has data (or end-of-stream) waiting: on a connection that is
    /// not subscribed, that only happens when the server closed it.
    static func hasPendingInput(_ context: UnsafeMutablePointer<redisContext>) -> Bool {
        var descriptor = pollfd(fd: context.pointee.fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) != 0
    }
}
