import Foundation

/// A deliberately small WebSocket client for tests, over a blocking socket: it sends exactly
/// the handshake headers and frames a test asks for (wrong Origin, binary, oversize, invalid
/// UTF-8), and can stop reading to play a stuck client. Blocking calls run on their own thread.
public final class RawWebSocket: @unchecked Sendable {
    /// A received frame.
    public struct Frame: Sendable {
        public let opcode: UInt8
        public let payload: [UInt8]
        public var text: String { String(decoding: payload, as: UTF8.self) }
        /// For a close frame: the status code.
        public var closeCode: Int? {
            opcode == 0x8 && payload.count >= 2 ? Int(payload[0]) << 8 | Int(payload[1]) : nil
        }
    }

    /// The handshake was answered with something other than 101.
    public struct Refused: Error, Sendable, Equatable {
        public let status: Int
        public init(status: Int) { self.status = status }
    }

    private let fd: Int32
    private var buffer: [UInt8] = []

    private init(fd: Int32) {
        self.fd = fd
    }

    deinit { close(fd) }

    /// Opens a connection and performs the handshake.
    /// - Parameter receiveBuffer: Shrinks the socket's receive buffer (to play a slow client).
    /// - Throws: ``Refused`` with the HTTP status when the server does not upgrade.
    public static func connect(port: Int, path: String, headers: [String: String], receiveBuffer: Int? = nil) async throws -> RawWebSocket {
        try await onThread {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw TestSupportError("socket() failed") }
            if var size = receiveBuffer.map(Int32.init) {
                setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            }
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = UInt16(port).bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { close(fd); throw TestSupportError("cannot connect to port \(port)") }
            let socket = RawWebSocket(fd: fd)
            var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            request += "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            for (name, value) in headers { request += "\(name): \(value)\r\n" }
            request += "\r\n"
            try socket.writeAll(Array(request.utf8))
            let head = try socket.readHead()
            let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
            guard status == 101 else { throw Refused(status: status) }
            return socket
        }
    }

    /// Sends a text frame.
    public func send(text: String) async throws {
        try await send(opcode: 0x1, payload: Array(text.utf8))
    }

    /// Sends one frame with any opcode and payload (masked, as a client must).
    public func send(opcode: UInt8, payload: [UInt8], fin: Bool = true) async throws {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            frame.append(0x80 | 126)
            frame += [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            frame.append(0x80 | 127)
            frame += (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xFF) }
        }
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        let bytes = frame
        try await Self.onThread { try self.writeAll(bytes) }
    }

    /// The next frame other than ping/pong; `nil` when the connection ended.
    public func receive() async throws -> Frame? {
        try await Self.onThread {
            while true {
                guard let header = try self.read(2) else { return nil }
                var length = Int(header[1] & 0x7F)
                if length == 126 {
                    guard let more = try self.read(2) else { return nil }
                    length = Int(more[0]) << 8 | Int(more[1])
                } else if length == 127 {
                    guard let more = try self.read(8) else { return nil }
                    length = more.reduce(0) { $0 << 8 | Int($1) }
                }
                guard let payload = try self.read(length) else { return nil }
                let opcode = header[0] & 0x0F
                if opcode == 0x9 || opcode == 0xA { continue }
                return Frame(opcode: opcode, payload: payload)
            }
        }
    }

    /// Reads frames until `matches` accepts one; fails after `limit` frames.
    public func receive(limit: Int = 200, where matches: (Frame) -> Bool) async throws -> Frame {
        for _ in 0..<limit {
            guard let frame = try await receive() else { throw TestSupportError("the connection closed first") }
            if matches(frame) { return frame }
        }
        throw TestSupportError("no matching frame within \(limit) frames")
    }

    /// Closes the TCP connection without a close handshake (a dropped network).
    public func drop() {
        shutdown(fd, Int32(SHUT_RDWR))
    }

    // MARK: - Blocking internals

    private func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw TestSupportError("send failed") }
            offset += written
        }
    }

    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = recv(fd, &chunk, chunk.count, 0)
        if count < 0 { throw TestSupportError("recv failed or timed out (errno \(errno))") }
        if count == 0 { return false }
        buffer += chunk[0..<count]
        return true
    }

    private func read(_ count: Int) throws -> [UInt8]? {
        while buffer.count < count {
            guard try fill() else { return nil }
        }
        let bytes = Array(buffer[0..<count])
        buffer.removeFirst(count)
        return bytes
    }

    private func readHead() throws -> String {
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        while true {
            if let range = buffer.firstRange(of: end) {
                let head = String(decoding: buffer[..<range.lowerBound], as: UTF8.self)
                buffer.removeFirst(range.upperBound)
                return head
            }
            guard try fill() else { throw TestSupportError("connection closed during handshake") }
        }
    }

    private static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result(catching: body)) }
        }
    }
}
