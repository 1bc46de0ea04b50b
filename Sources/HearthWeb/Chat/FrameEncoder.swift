import Foundation
import HearthCore
import NIOCore

/// A server frame ready for the wire: the complete WebSocket frame (header and JSON payload),
/// encoded once and written as the same bytes to every recipient.
struct OutgoingFrame: Sendable {
    /// Set for stored messages, so a connection can skip what catch-up already sent.
    let position: Int64?
    let bytes: ByteBuffer
}

/// Encodes server frames. Messages, the frames sent by the thousand, are written by hand;
/// the rare others go through `JSONEncoder`.
enum FrameEncoder {
    static func encode(_ frame: ServerFrame) -> OutgoingFrame {
        var payload = ByteBuffer()
        let position: Int64?
        if case .message(let message) = frame {
            position = message.position
            payload.reserveCapacity(160 + message.body.utf8.count)
            writeMessage(message, to: &payload)
        } else {
            position = nil
            // Encoding these cases cannot fail: they hold only strings and numbers.
            payload.writeBytes((try? JSONEncoder().encode(frame)) ?? Data())
        }
        return OutgoingFrame(position: position, bytes: webSocketFrame(text: payload))
    }

    /// A final, unmasked text frame around `payload` (RFC 6455 §5.2). Server frames are not
    /// compressed, so the bytes are the same for every connection whatever it negotiated.
    static func webSocketFrame(text payload: ByteBuffer) -> ByteBuffer {
        let length = payload.readableBytes
        var frame = ByteBuffer()
        frame.reserveCapacity(length + 10)
        frame.writeInteger(UInt8(0x81))
        if length < 126 {
            frame.writeInteger(UInt8(length))
        } else if length <= 0xFFFF {
            frame.writeInteger(UInt8(126))
            frame.writeInteger(UInt16(length))
        } else {
            frame.writeInteger(UInt8(127))
            frame.writeInteger(UInt64(length))
        }
        frame.writeImmutableBuffer(payload)
        return frame
    }

    /// `{"type":"message","message":{...}}`, the same shape `JSONEncoder` gives `ServerFrame`
    /// (absent optionals left out), with `createdAt` in ISO 8601 UTC.
    static func writeMessage(_ message: ChatMessage, to buffer: inout ByteBuffer) {
        buffer.writeStaticString(#"{"type":"message","message":{"id":"#)
        buffer.writeString(String(message.id))
        buffer.writeStaticString(#","position":"#)
        buffer.writeString(String(message.position))
        if let author = message.author {
            buffer.writeStaticString(#","author":"#)
            writeJSONString(author, to: &buffer)
        }
        buffer.writeStaticString(#","kind":"#)
        writeJSONString(message.kind.rawValue, to: &buffer)
        buffer.writeStaticString(#","body":"#)
        writeJSONString(message.body, to: &buffer)
        buffer.writeStaticString(#","createdAt":""#)
        writeTimestamp(message.createdAt, to: &buffer)
        buffer.writeStaticString(#"""#)
        if let recipient = message.recipient {
            buffer.writeStaticString(#","recipient":"#)
            writeJSONString(recipient, to: &buffer)
        }
        buffer.writeStaticString("}}")
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped (RFC 8259 §7).
    static func writeJSONString(_ string: String, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var utf8 = string
        utf8.withUTF8 { bytes in
            var start = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[start..<index]))
                switch byte {
                case UInt8(ascii: "\""): buffer.writeStaticString(#"\""#)
                case UInt8(ascii: "\\"): buffer.writeStaticString(#"\\"#)
                case UInt8(ascii: "\n"): buffer.writeStaticString(#"\n"#)
                case UInt8(ascii: "\r"): buffer.writeStaticString(#"\r"#)
                case UInt8(ascii: "\t"): buffer.writeStaticString(#"\t"#)
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    buffer.writeStaticString(#"\u00"#)
                    buffer.writeInteger(hex[Int(byte >> 4)])
                    buffer.writeInteger(hex[Int(byte & 0xF)])
                }
                start = index + 1
            }
            buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    static func writeTimestamp(_ date: Date, to buffer: inout ByteBuffer) {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(milliseconds.floorDivided(by: 1000))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) {
            buffer.writeInteger(UInt8(48 + value / 10))
            buffer.writeInteger(UInt8(48 + value % 10))
        }
        let year = Int(parts.tm_year) + 1900
        buffer.writeString(year < 1000 ? String(repeating: "0", count: 4 - String(year).count) + String(year) : String(year))
        buffer.writeInteger(UInt8(ascii: "-"))
        two(parts.tm_mon + 1)
        buffer.writeInteger(UInt8(ascii: "-"))
        two(parts.tm_mday)
        buffer.writeInteger(UInt8(ascii: "T"))
        two(parts.tm_hour)
        buffer.writeInteger(UInt8(ascii: ":"))
        two(parts.tm_min)
        buffer.writeInteger(UInt8(ascii: ":"))
        two(parts.tm_sec)
        buffer.writeInteger(UInt8(ascii: "."))
        let millis = Int32(milliseconds - Int64(seconds) * 1000)
        buffer.writeInteger(UInt8(48 + millis / 100))
        two(millis % 100)
        buffer.writeInteger(UInt8(ascii: "Z"))
    }
}

extension Int64 {
    /// Division rounding towards negative infinity (dates before 1970 stay correct).
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor < 0) ? quotient - 1 : quotient
    }
}
