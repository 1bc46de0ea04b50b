import Foundation

/// A value that can be a Redis command argument. Arguments travel as raw bytes with explicit
/// lengths, so any bytes (NUL included) are safe.
public protocol RedisArgument: Sendable {
    var redisBytes: [UInt8] { get }
}

extension String: RedisArgument {
    public var redisBytes: [UInt8] { Array(utf8) }
}

extension Substring: RedisArgument {
    public var redisBytes: [UInt8] { Array(utf8) }
}

extension Array: RedisArgument where Element == UInt8 {
    public var redisBytes: [UInt8] { self }
}

extension Data: RedisArgument {
    public var redisBytes: [UInt8] { Array(self) }
}

extension Int: RedisArgument {
    public var redisBytes: [UInt8] { Array(String(self).utf8) }
}

/// Lends hiredis's `argc`/`argv`/`argvlen` for a command, all pointing into one buffer.
func withRedisArgv<Result>(
    _ arguments: [[UInt8]],
    _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> Result
) -> Result {
    var storage: [UInt8] = []
    storage.reserveCapacity(arguments.reduce(1) { $0 + $1.count })
    var offsets: [Int] = []
    for argument in arguments {
        offsets.append(storage.count)
        storage.append(contentsOf: argument)
    }
    // Keeps the base address valid when every argument is empty.
    storage.append(0)
    let lengths = arguments.map(\.count)
    return storage.withUnsafeBytes { buffer in
        let base = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
        var pointers: [UnsafePointer<CChar>?] = offsets.map { base + $0 }
        return pointers.withUnsafeMutableBufferPointer { argv in
            lengths.withUnsafeBufferPointer { argvlen in
                body(Int32(arguments.count), argv.baseAddress!, argvlen.baseAddress!)
            }
        }
    }
}
