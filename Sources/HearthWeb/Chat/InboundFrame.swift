import HummingbirdWebSocket
import NIOCore

/// A whole inbound WebSocket message, reassembled from its frames, with its raw bytes (so the
/// handler can refuse invalid UTF-8 with an error frame instead of a closed socket).
enum InboundFrame {
    case text(ByteBuffer)
    case binary(ByteBuffer)
}

/// The reassembled message went over the hard size limit.
struct InboundFrameTooLarge: Error {}

extension WebSocketInboundStream.AsyncIterator {
    /// The next whole message, or `nil` when the socket closed.
    /// - Throws: ``InboundFrameTooLarge`` past `maxSize` bytes.
    mutating func nextFrame(maxSize: Int) async throws -> InboundFrame? {
        guard let first = try await next() else { return nil }
        var data = first.data
        var fin = first.fin
        while !fin {
            guard let more = try await next() else { return nil }
            guard data.readableBytes + more.data.readableBytes <= maxSize else { throw InboundFrameTooLarge() }
            var payload = more.data
            data.writeBuffer(&payload)
            fin = more.fin
        }
        return first.opcode == .binary ? .binary(data) : .text(data)
    }
}
