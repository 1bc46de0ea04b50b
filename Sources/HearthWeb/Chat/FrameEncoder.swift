import Foundation
import HearthCore
import NIOCore

/// Encodes server frames to JSON bytes. A broadcast is encoded once and the same bytes are
/// queued for every recipient.
enum FrameEncoder {
    static func encode(_ frame: ServerFrame) -> OutboundQueue.Frame {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true)))
        }
        // Encoding these types cannot fail: they hold only strings, numbers and dates.
        let data = (try? encoder.encode(frame)) ?? Data()
        let position: Int64? = if case .message(let message) = frame { message.position } else { nil }
        return OutboundQueue.Frame(position: position, bytes: ByteBuffer(bytes: data))
    }
}
