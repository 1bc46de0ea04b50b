/// A Redis reply, copied out of hiredis.
public enum RedisValue: Sendable, Hashable {
    /// A bulk string: arbitrary bytes.
    case bulkString([UInt8])
    /// A status reply such as `OK`.
    case status(String)
    case integer(Int)
    case array([RedisValue])
    /// The nil bulk string or nil array.
    case null
    /// An error reply nested in an array (top-level error replies are thrown as ``RedisError``).
    case error(String)

    /// The bulk string or status as UTF-8 text.
    public var string: String? {
        switch self {
        case .bulkString(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }

    /// The bulk string's bytes.
    public var bytes: [UInt8]? {
        if case .bulkString(let bytes) = self { bytes } else { nil }
    }

    /// The integer, or a bulk string holding a decimal integer.
    public var int: Int? {
        switch self {
        case .integer(let value): value
        case .bulkString: string.flatMap { Int($0) }
        default: nil
        }
    }

    /// The array's elements.
    public var array: [RedisValue]? {
        if case .array(let values) = self { values } else { nil }
    }

    /// Whether this is the nil reply.
    public var isNull: Bool { self == .null }
}
