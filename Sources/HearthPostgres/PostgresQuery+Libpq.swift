import CLibPQ

extension PostgresQuery {
    /// Lends the bindings to `body` as the parallel arrays `PQexecParams` and
    /// `PQsendQueryParams` take: count, type OIDs, value pointers, lengths, formats (all binary).
    func withLibpqParameters<Result>(
        _ body: (Int32, UnsafePointer<Oid>?, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> Result
    ) -> Result {
        let types = bindings.map { Oid($0.type.oid) }
        let lengths = bindings.map { Int32($0.bytes?.count ?? 0) }
        let formats = [Int32](repeating: 1, count: bindings.count)
        // All values in one buffer; a trailing byte keeps the base address valid when every
        // value is empty, since an empty (non-NULL) value still needs a non-NULL pointer.
        var storage: [UInt8] = []
        var offsets: [Int?] = []
        for binding in bindings {
            if let bytes = binding.bytes {
                offsets.append(storage.count)
                storage.append(contentsOf: bytes)
            } else {
                offsets.append(nil)
            }
        }
        storage.append(0)
        return storage.withUnsafeBytes { buffer in
            let base = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
            let values: [UnsafePointer<CChar>?] = offsets.map { $0.map { base + $0 } }
            return body(Int32(bindings.count), types, values, lengths, formats)
        }
    }
}
