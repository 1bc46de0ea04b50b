import Foundation
import NIOCore
import NIOPosix

/// One simulated browser tab: a WebSocket to one room, written and read on the load
/// generator's single event loop. The handshake and frames are done by hand (a few lines) so
/// that the generator costs little per frame and sends exactly what a browser sends.
final class LoadSocket: @unchecked Sendable {
    let run: LoadRun
    let room: Int
    let path: String
    let cookie: String
    var channel: (any Channel)?
    var isReady = false
    var isFailed = false
    /// The close code the server sent, if it closed the socket.
    var closeCode: Int?
    /// Newest position seen, to check that positions only increase.
    var lastPosition: Int64 = 0
    /// Which of the run's messages arrived here (index → seen), sized on first use.
    var seen: [Bool] = []
    var uniqueReceived = 0

    init(run: LoadRun, room: Int, roomName: String, cookie: String, after: Int64?) {
        self.run = run
        self.room = room
        self.cookie = cookie
        self.path = "/rooms/\(roomName)/ws" + (after.map { "?after=\($0)" } ?? "")
    }

    /// Connects and sends the upgrade request; on the event loop.
    func open(port: Int) {
        let socket = self
        ClientBootstrap(group: run.loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LoadFrameDecoder(socket: socket)))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    socket.channel = channel
                    channel.closeFuture.whenComplete { _ in socket.closed() }
                    var request = "GET \(socket.path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    request += "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    request += "Origin: http://127.0.0.1:\(port)\r\nCookie: hearth_session=\(socket.cookie)\r\n"
                    if socket.run.offerDeflate { request += "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" }
                    request += "\r\n"
                    channel.writeAndFlush(ByteBuffer(string: request), promise: nil)
                case .failure(let error):
                    socket.fail("connect: \(error)")
                }
            }
    }

    func closed() {
        if isReady {
            run.socketsClosed += 1
        } else {
            fail("closed before ready (code \(closeCode.map(String.init) ?? "none"))")
        }
    }

    func fail(_ why: String) {
        guard !isFailed else { return }
        isFailed = true
        run.socketFailed(self, why: why)
    }

    /// Queues a masked text frame (a client must mask); the caller flushes.
    func write(text: [UInt8]) {
        guard let channel, isReady else { return }
        var frame = channel.allocator.buffer(capacity: text.count + 8)
        frame.writeInteger(UInt8(0x81))
        if text.count < 126 {
            frame.writeInteger(UInt8(0x80 | text.count))
        } else {
            frame.writeInteger(UInt8(0x80 | 126))
            frame.writeInteger(UInt16(text.count))
        }
        let mask = UInt32.random(in: 0...UInt32.max)
        frame.writeInteger(mask)
        let key = withUnsafeBytes(of: mask.bigEndian) { Array($0) }
        for (i, byte) in text.enumerated() {
            frame.writeInteger(byte ^ key[i & 3])
        }
        channel.write(frame, promise: nil)
    }

    func flush() {
        channel?.flush()
    }

    /// A whole frame from the server.
    func received(opcode: UInt8, payload: ByteBuffer) {
        switch opcode {
        case 0x1:
            payload.withUnsafeReadableBytes { text(UnsafeRawBufferPointer($0)) }
        case 0x8:
            closeCode = payload.readableBytes >= 2 ? Int(payload.getInteger(at: payload.readerIndex, as: UInt16.self) ?? 0) : 1005
            channel?.close(promise: nil)
        case 0x9:
            // Answer pings so the server does not cut us off as dead.
            guard let channel else { return }
            var pong = channel.allocator.buffer(capacity: payload.readableBytes + 6)
            pong.writeInteger(UInt8(0x8A))
            pong.writeInteger(UInt8(0x80 | payload.readableBytes))
            pong.writeInteger(UInt32(0))
            pong.writeImmutableBuffer(payload)
            channel.writeAndFlush(pong, promise: nil)
        default:
            break
        }
    }

    private func text(_ bytes: UnsafeRawBufferPointer) {
        run.framesReceived += 1
        run.lastFrameAt = NIODeadline.now().uptimeNanoseconds
        if let position = Self.number(after: Self.positionKey, in: bytes), Self.find(Self.messageType, in: bytes) != nil {
            if position <= lastPosition { run.outOfOrder += 1 }
            lastPosition = max(lastPosition, position)
            if let index = Self.number(after: Self.benchBody, in: bytes) {
                record(Int(index))
            }
        } else if Self.find(Self.readyType, in: bytes) != nil {
            lastPosition = Self.number(after: Self.positionKey, in: bytes) ?? lastPosition
            isReady = true
            run.socketReady(self)
        } else if Self.find(Self.errorType, in: bytes) != nil {
            run.errors += 1
            if run.firstError == nil { run.firstError = String(decoding: bytes, as: UTF8.self) }
        }
    }

    private func record(_ index: Int) {
        guard index >= 0, index < run.scheduled.count else { return }
        if seen.isEmpty { seen = Array(repeating: false, count: run.scheduled.count) }
        if seen[index] {
            run.duplicates += 1
            return
        }
        seen[index] = true
        uniqueReceived += 1
        run.delivered(index: index)
    }

    // MARK: - Scanning JSON without parsing it

    static let positionKey = Array(#""position":"#.utf8)
    static let benchBody = Array(#""body":"bench "#.utf8)
    static let messageType = Array(#""type":"message""#.utf8)
    static let readyType = Array(#""type":"ready""#.utf8)
    static let errorType = Array(#""type":"error""#.utf8)

    static func find(_ needle: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let first = needle.first, bytes.count >= needle.count else { return nil }
        var index = 0
        while index <= bytes.count - needle.count {
            if bytes[index] == first {
                var matched = 1
                while matched < needle.count, bytes[index + matched] == needle[matched] { matched += 1 }
                if matched == needle.count { return index }
            }
            index += 1
        }
        return nil
    }

    static func number(after key: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int64? {
        guard var index = find(key, in: bytes) else { return nil }
        index += key.count
        var value: Int64 = 0
        var digits = 0
        while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
            value = value * 10 + Int64(bytes[index] - 48)
            index += 1
            digits += 1
        }
        return digits > 0 ? value : nil
    }
}

/// Reads the handshake answer, then splits the byte stream into WebSocket frames.
struct LoadFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = Never
    let socket: LoadSocket
    private var upgraded = false
    private var fragments: ByteBuffer?
    private var fragmentOpcode: UInt8 = 0

    init(socket: LoadSocket) {
        self.socket = socket
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard upgraded else {
            let end = buffer.withUnsafeReadableBytes { LoadSocket.find(Array("\r\n\r\n".utf8), in: $0) }
            guard let end else { return .needMoreData }
            let head = buffer.readString(length: end + 4) ?? ""
            guard head.hasPrefix("HTTP/1.1 101") else {
                socket.fail("upgrade refused: \(head.prefix(while: { $0 != "\r" }))")
                context.close(promise: nil)
                return .needMoreData
            }
            upgraded = true
            return .continue
        }
        let start = buffer.readerIndex
        guard let first = buffer.getInteger(at: start, as: UInt8.self), let second = buffer.getInteger(at: start + 1, as: UInt8.self) else {
            return .needMoreData
        }
        var length = Int(second & 0x7F)
        var header = 2
        if length == 126 {
            guard let extended = buffer.getInteger(at: start + 2, as: UInt16.self) else { return .needMoreData }
            length = Int(extended)
            header = 4
        } else if length == 127 {
            guard let extended = buffer.getInteger(at: start + 2, as: UInt64.self) else { return .needMoreData }
            length = Int(extended)
            header = 10
        }
        guard buffer.readableBytes >= header + length else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: header)
        let payload = buffer.readSlice(length: length)!
        let fin = first & 0x80 != 0
        let opcode = first & 0x0F
        if first & 0x40 != 0 {
            socket.run.compressedFrames += 1
            return .continue
        }
        if opcode == 0 || !fin {
            // A fragmented message: keep the pieces until the last one.
            if opcode != 0 { fragmentOpcode = opcode }
            var pieces = fragments ?? context.channel.allocator.buffer(capacity: length)
            pieces.writeImmutableBuffer(payload)
            fragments = fin ? nil : pieces
            if fin { socket.received(opcode: fragmentOpcode, payload: pieces) }
        } else {
            socket.received(opcode: opcode, payload: payload)
        }
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
