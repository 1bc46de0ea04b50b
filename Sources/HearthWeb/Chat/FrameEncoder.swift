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
        buffer.writeString(UTCTime.iso8601(message.createdAt))
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
}
