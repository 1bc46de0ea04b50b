import Foundation

/// A Swift value that can be read from a result column in PostgreSQL's binary format.
public protocol PostgresDecodable: Sendable {
    /// Decodes a non-NULL value.
    /// - Throws: ``PostgresError`` with code `typeMismatch` when `type` cannot become `Self`.
    static func decode(_ bytes: ArraySlice<UInt8>, type: PostgresType, column: String) throws -> Self
    /// The value for SQL NULL; throws `unexpectedNull` unless `Self` is optional.
    static func decodeNull(column: String) throws -> Self
}

extension PostgresDecodable {
    public static func decodeNull(column: String) throws -> Self {
        throw PostgresError(code: .unexpectedNull, column: column)
    }

    static func mismatch(_ type: PostgresType, _ column: String) -> PostgresError {
        PostgresError(code: .typeMismatch, column: column, message: "cannot decode \(type) as \(Self.self)")
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(_ bytes: ArraySlice<UInt8>, type: PostgresType, column: String) throws -> Self {
        try Wrapped.decode(bytes, type: type, column: column)
    }

    public static func decodeNull(column: String) throws -> Self { nil }
}

extension ArraySlice<UInt8> {
    /// Reads a big-endian integer that fills the whole slice.
    func bigEndianInteger<T: FixedWidthInteger>(_: T.Type) -> T? {
        guard count == MemoryLayout<T>.size else { return nil }
        return reduce(T.zero) { ($0 << 8) | T($1) }
    }
}

extension Int64: PostgresDecodable {
    public static func decode(_ bytes: ArraySlice<UInt8>, type: PostgresType, column: String) throws -> Int64 {
        let value: Int64? = switch type {
        case .int8: bytes.bigEndianInteger(Int64.self)
        case .int4: bytes.bigEndianInteger(Int32.self).map(Int64.init)
        case .int2: bytes.bigEndianInteger(Int16.self).map(Int64.init)
        default: nil
        }
        guard let value else { throw mismatch(type, column) }
        return value
    }
}

extension Int: PostgresDecodable {
    public static func decode(_ bytes: ArraySlice<UInt8>, type: PostgresType, column: String) throws -> Int {
        Int(try Int64.decode(bytes, type: type, column: column))
    }
}

extension Int32: PostgresDecodable {
    public static func decode(_ bytes: ArraySlice<UInt8>, type: PostgresType, column: String) throws -> Int32 {
        guard let value = Int32(exactly: try Int64.decode(bytes, type: type, column: column)) else {
            throw mismatch(type, column)
        }
        return value
    }
}

extension Bool: PostgresDecodable {
    public static func decode(_ bytes: ArraySlice<UInt8>, type: PostgresType, column: String) throws -> Bool {
        guard type == .bool, bytes.count == 1 else { throw mismatch(type, column) }
        return bytes.first != 0
    }
}

extension Double: PostgresDecodable {
    public static func decode(_ bytes: ArraySlice<UInt8>, type: PostgresType, column: String) throws -> Double {
        switch type {
        case .float8:
            if let bits = bytes.bigEndianInteger(UInt64.self) { return Double(bitPattern: bits) }
        case .float4:
            if let bits = bytes.bigEndianInteger(UInt32.self) { return Double(Float(bitPattern: bits)) }
        case .int2, .int4, .int8:
            return Double(try Int64.decode(bytes, type: type, column: column))
        default:
            break
        }
        throw mismatch(type, column)
    }
}

extension String: PostgresDecodable {
    public static func decode(_ bytes: ArraySlice<UInt8>, type: PostgresType, column: String) throws -> String {
        switch type {
        case _ where PostgresType.textual.contains(type):
            return String(decoding: bytes, as: UTF8.self)
        case .jsonb:
            // Binary jsonb is a version byte (1) followed by the JSON text.
            guard bytes.first == 1 else { throw mismatch(type, column) }
            return String(decoding: bytes.dropFirst(), as: UTF8.self)
        default:
            throw mismatch(type, column)
        }
    }
}

extension Data: PostgresDecodable {
    public static func decode(_ bytes: ArraySlice<UInt8>, type: PostgresType, column: String) throws -> Data {
        guard type == .bytea else { throw mismatch(type, column) }
        return Data(bytes)
    }
}

extension UUID: PostgresDecodable {
    public static func decode(_ bytes: ArraySlice<UInt8>, type: PostgresType, column: String) throws -> UUID {
        guard type == .uuid, bytes.count == 16 else { throw mismatch(type, column) }
        let b = Array(bytes)
        return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                           b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }
}

extension Date: PostgresDecodable {
    public static func decode(_ bytes: ArraySlice<UInt8>, type: PostgresType, column: String) throws -> Date {
        guard type == .timestamptz || type == .timestamp, let microseconds = bytes.bigEndianInteger(Int64.self) else {
            throw mismatch(type, column)
        }
        return postgresEpoch.addingTimeInterval(Double(microseconds) / 1_000_000)
    }
}
