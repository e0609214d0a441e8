internal import CHDF5
import Foundation
import Synchronization

// The parent's and the worker's halves of `HDF5Isolation`, and the messages between them.
//
// A message is a frame: one tag byte, the payload length (u64, little-endian), the payload.
// Requests: `open` (path, memory allowance), `read` (dataset, element, count), `readRows`
// (dataset, element, shape, first row, row count). Answers: `ok` with the payload (the tensor
// list, or exactly the bytes asked for), or `error` (a `CheckpointError.Kind` and a message).
// Everything the worker says is checked before use: an answer of the wrong size or shape is
// "out of protocol", and no length it sends is allocated beyond the limits fixed here.

/// Tags of the frames.
enum HDF5WireTag: UInt8 {
    case open = 1, read = 2, readRows = 3
    case ok = 100, error = 101
}

/// Builds a payload.
struct HDF5WireWriter {
    var bytes: [UInt8] = []
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func int(_ v: Int) { u64(UInt64(bitPattern: Int64(v))) }
    mutating func string(_ s: String) { int(s.utf8.count); bytes.append(contentsOf: s.utf8) }
    mutating func ints(_ v: [Int]) { int(v.count); for x in v { int(x) } }

    /// The frame holding this payload.
    func frame(_ tag: HDF5WireTag) -> [UInt8] {
        var header = HDF5WireWriter()
        header.u8(tag.rawValue)
        header.int(bytes.count)
        return header.bytes + bytes
    }
}

/// Reads a payload, every length checked against what is left.
struct HDF5WireReader {
    struct Malformed: Error {}
    let bytes: [UInt8]
    var at = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    mutating func u8() throws -> UInt8 {
        guard at < bytes.count else { throw Malformed() }
        defer { at += 1 }
        return bytes[at]
    }
    mutating func u64() throws -> UInt64 {
        guard bytes.count - at >= 8 else { throw Malformed() }
        var v: UInt64 = 0
        for k in 0..<8 { v |= UInt64(bytes[at + k]) << (8 * k) }
        at += 8
        return v
    }
    mutating func int() throws -> Int { Int(Int64(bitPattern: try u64())) }
    /// A count or length: not negative, and at most `bytes.count` (each item takes a byte at least).
    mutating func length() throws -> Int {
        let n = try int()
        guard n >= 0, n <= bytes.count - at else { throw Malformed() }
        return n
    }
    mutating func string() throws -> String {
        let n = try length()
        defer { at += n }
        return String(decoding: bytes[at..<(at + n)], as: UTF8.self)
    }
    mutating func ints() throws -> [Int] {
        let n = try length()
        return try (0..<n).map { _ in try int() }
    }
}

/// Descriptor I/O for the frames, with an optional deadline.
enum HDF5WireIO {
    enum Failure: Error { case timedOut, closed, system(Int32) }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Fills `buffer` from `fd`; waits at most until `deadline` (nil: forever).
    static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, deadline: Double?) throws {
        var done = 0
        while done < buffer.count {
            if let deadline {
                let left = deadline - now()
                if left <= 0 { throw Failure.timedOut }
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let r = poll(&p, 1, Int32(min(left * 1000 + 1, 3_600_000)))
                if r < 0 && errno != EINTR { throw Failure.system(errno) }
                if r <= 0 { continue }
            }
            let n = recv(fd, buffer.baseAddress! + done, buffer.count - done, 0)
            if n > 0 { done += n; continue }
            if n == 0 || errno == ECONNRESET { throw Failure.closed }
            if errno == EINTR || errno == EAGAIN { continue }
            throw Failure.system(errno)
        }
    }

    /// Sends all of `buffer` (never raising SIGPIPE: a closed peer is `.closed`).
    static func send(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < buffer.count {
            let n = Glibc.send(fd, buffer.baseAddress! + done, buffer.count - done, Int32(MSG_NOSIGNAL))
            if n >= 0 { done += n; continue }
            if errno == EINTR || errno == EAGAIN { continue }
            if errno == EPIPE || errno == ECONNRESET { throw Failure.closed }
            throw Failure.system(errno)
        }
    }

    /// A frame's tag and payload length.
    static func header(_ fd: Int32, deadline: Double?) throws -> (tag: UInt8, length: Int) {
        var header = [UInt8](repeating: 0, count: 9)
        try header.withUnsafeMutableBytes { (b) throws in try receive(fd, into: b, deadline: deadline) }
        var length: UInt64 = 0
        for k in 0..<8 { length |= UInt64(header[1 + k]) << (8 * k) }
        return (header[0], Int(clamping: length))
    }
}

// MARK: - Parent

/// One HDF5 file read by a worker process (see `HDF5Isolation`).
final class HDF5WorkerFile: HDF5Reader, @unchecked Sendable {   // the channel and failure are used under `lock` only
    let origin: HDF5Origin
    private let lock = NSLock()
    private var fd: Int32 = -1
    private var pid: Int32 = 0
    /// Set once the worker crashed, timed out or broke protocol: every later read fails so.
    private var failure: CheckpointError?

    /// Largest answer to `open` accepted (the tensor list and metadata).
    static let maximumListing = 1 << 28
    /// Largest error message accepted.
    static let maximumError = 1 << 16

    /// A running worker process no file holds (`Worker.reuse`): how it was started, its
    /// channel and process id.
    private static let idle = Mutex<(worker: HDF5Isolation.Worker, fd: Int32, pid: Int32)?>(nil)

    /// The process id of the kept process started as `worker`, if one is kept (for tests).
    static func idleProcess(for worker: HDF5Isolation.Worker) -> Int32? {
        idle.withLock { kept in kept.flatMap { $0.worker == worker ? $0.pid : nil } }
    }

    /// How the process was started; with `reuse`, it goes back to `idle` when this file is closed.
    private let worker: HDF5Isolation.Worker

    private init(origin: HDF5Origin, worker: HDF5Isolation.Worker) throws {
        self.origin = origin
        self.worker = worker
        if worker.reuse, let kept = Self.idle.withLock({ kept -> (fd: Int32, pid: Int32)? in
            guard let k = kept, k.worker == worker else { return nil }
            kept = nil
            return (k.fd, k.pid)
        }) {
            fd = kept.fd
            pid = kept.pid
            return
        }
        let argv = [worker.executable] + worker.arguments
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for p in cArguments { free(p) } }
        var fd: Int32 = -1, pid: Int32 = 0
        let rc = htsr_worker_spawn(worker.executable, &cArguments, &fd, &pid)
        guard rc == 0 else {
            throw origin.error("cannot start the HDF5 reader process (\(worker.executable)): \(String(cString: strerror(rc)))")
        }
        self.fd = fd
        self.pid = pid
    }

    /// A file whose worker's answers arrive on `channel`, with no process behind it: the
    /// protocol fuzz target writes arbitrary answers there (the parent's side is all htsr's
    /// own code that an HDF5 file can reach past the isolation). Owns and closes `channel`.
    init(origin: HDF5Origin, channel: Int32, limits: HDF5Isolation.Limits) {
        self.origin = origin
        worker = HDF5Isolation.Worker(executable: "", limits: limits)
        fd = channel
    }

    deinit {
        // A healthy process is kept for the next file when asked to; one is kept at most, the
        // latest (the one it replaces ends).
        if worker.reuse, failure == nil, pid > 0, fd >= 0 {
            let channel = (worker: worker, fd: fd, pid: pid)
            if let replaced = Self.idle.withLock({ kept in defer { kept = channel }; return kept }) {
                Self.end(pid: replaced.pid, fd: replaced.fd)
            }
            return
        }
        Self.end(pid: pid, fd: fd)
    }

    /// Kills and reaps a worker process (if any) and closes its channel (if open).
    private static func end(pid: Int32, fd: Int32) {
        if pid > 0 {
            kill(pid, SIGKILL)
            var signal: Int32 = 0
            _ = htsr_worker_reap(pid, &signal)
        }
        if fd >= 0 { close(fd) }
    }

    /// Starts a worker, has it open and walk `path`, and returns the tensors it found, each
    /// read through this worker.
    static func open(_ path: String, origin: HDF5Origin, worker: HDF5Isolation.Worker) throws -> LoadedCheckpoint {
        try HDF5WorkerFile(origin: origin, worker: worker).listing(of: path)
    }

    /// Has the worker open and walk `path`, and decodes the tensor list it answers (each
    /// tensor read through this file); an answer out of protocol ends the worker.
    func listing(of path: String) throws -> LoadedCheckpoint {
        var request = HDF5WireWriter()
        request.string(path)
        request.int(worker.limits.memory)
        let answer = try exchange(request.frame(.open), seconds: worker.limits.timeLimit(bytes: 0)) { length in
            guard length <= Self.maximumListing else { return nil }
            return [UInt8](repeating: 0, count: length)
        }
        do {
            var r = HDF5WireReader(answer)
            guard let format = CheckpointFormat(rawValue: try r.string()) else { throw HDF5WireReader.Malformed() }
            var metadata: [String: String] = [:]
            for _ in 0..<(try r.length()) {
                let key = try r.string()
                metadata[key] = try r.string()
            }
            var tensors: [(info: TensorInfo, source: TensorSource)] = []
            for _ in 0..<(try r.length()) {
                let name = try r.string()
                guard let dtype = DType(rawValue: try r.string()) else { throw HDF5WireReader.Malformed() }
                let shape = try r.ints()
                guard shape.allSatisfy({ $0 >= 0 }), Self.product(shape) != nil,
                      let layout = TensorLayout(rawValue: try r.string()) else { throw HDF5WireReader.Malformed() }
                let dataset = try r.string()
                let unreadable = try r.u8() == 1 ? try r.string() : nil
                var info = TensorInfo(name: name, dtype: dtype, shape: shape, file: origin.file, layout: layout)
                info.unreadable = unreadable
                tensors.append((info, .hdf5(file: self, dataset: dataset)))
            }
            // A native order is the tensors' own order (Keras 2 `layer_names`), with its note.
            let order = try r.u8() == 1 ? LayerOrder.native(tensors.map(\.info.name), note: try r.string()) : nil
            guard r.at == answer.count else { throw HDF5WireReader.Malformed() }
            return LoadedCheckpoint(format: format, tensors: tensors, metadata: metadata, nativeOrder: order)
        } catch is HDF5WireReader.Malformed {
            throw fail(outOfProtocol)
        }
    }

    func read(_ dataset: String, count: Int, as element: HDF5Element, into buffer: UnsafeMutableRawBufferPointer) throws {
        var request = HDF5WireWriter()
        request.string(dataset)
        request.u8(element.rawValue)
        request.int(count)
        try receiveValues(request.frame(.read), into: buffer)
    }

    func readRows(_ dataset: String, shape: [Int], rows: Range<Int>, as element: HDF5Element,
                  into buffer: UnsafeMutableRawBufferPointer) throws {
        var request = HDF5WireWriter()
        request.string(dataset)
        request.u8(element.rawValue)
        request.ints(shape)
        request.int(rows.lowerBound)
        request.int(rows.count)
        try receiveValues(request.frame(.readRows), into: buffer)
    }

    /// Sends a read request; the answer's payload must be exactly `buffer.count` bytes.
    private func receiveValues(_ frame: [UInt8], into buffer: UnsafeMutableRawBufferPointer) throws {
        _ = try exchange(frame, seconds: worker.limits.timeLimit(bytes: buffer.count), expecting: buffer)
    }

    /// Marks the worker failed with `error` (kills it if still running) and returns the error.
    private func fail(_ error: CheckpointError) -> CheckpointError {
        if failure == nil {
            failure = error
            if pid > 0 {
                kill(pid, SIGKILL)
                var signal: Int32 = 0
                _ = htsr_worker_reap(pid, &signal)
                pid = 0
            }
        }
        return failure!
    }

    /// Sends `frame` and waits at most `seconds` for the answer. An `ok` payload goes into
    /// `expecting` (it must fit exactly) or into the buffer `allocate` returns for its length
    /// (nil: too long); an `error` payload becomes the `CheckpointError` it describes.
    private func exchange(_ frame: [UInt8], seconds: Double, expecting: UnsafeMutableRawBufferPointer? = nil,
                          allocate: ((Int) -> [UInt8]?)? = nil) throws -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        if let failure { throw failure }
        let deadline = HDF5WireIO.now() + seconds
        do {
            try frame.withUnsafeBytes { b in try HDF5WireIO.send(fd, b) }
            let (tag, length) = try HDF5WireIO.header(fd, deadline: deadline)
            switch HDF5WireTag(rawValue: tag) {
            case .ok?:
                if let expecting {
                    guard length == expecting.count else { throw fail(outOfProtocol) }
                    try HDF5WireIO.receive(fd, into: expecting, deadline: deadline)
                    return []
                }
                guard var payload = allocate?(length) else { throw fail(outOfProtocol) }
                try payload.withUnsafeMutableBytes { b in try HDF5WireIO.receive(fd, into: b, deadline: deadline) }
                return payload
            case .error?:
                guard length <= Self.maximumError else { throw fail(outOfProtocol) }
                var payload = [UInt8](repeating: 0, count: length)
                try payload.withUnsafeMutableBytes { b in try HDF5WireIO.receive(fd, into: b, deadline: deadline) }
                var r = HDF5WireReader(payload)
                guard let kind = CheckpointError.Kind(rawValue: (try? r.string()) ?? ""), let message = try? r.string() else {
                    throw fail(outOfProtocol)
                }
                throw origin.error(kind, message)
            default:
                throw fail(outOfProtocol)
            }
        } catch let e as HDF5WireIO.Failure {
            switch e {
            case .timedOut:
                throw fail(origin.error("unreadable HDF5 (libhdf5 timed out after \(Self.seconds(seconds)); the file may be corrupt)"))
            case .closed:
                throw fail(exitError())
            case .system(let code):
                throw fail(origin.error("unreadable HDF5 (talking to the HDF5 reader process failed: \(String(cString: strerror(code))))"))
            }
        }
    }

    private var outOfProtocol: CheckpointError {
        origin.error("unreadable HDF5 (the HDF5 reader process answered out of protocol)")
    }

    /// The error for a worker that closed the channel: how it ended.
    private func exitError() -> CheckpointError {
        guard pid > 0 else { return outOfProtocol }
        var signal: Int32 = 0
        let status = htsr_worker_reap(pid, &signal)
        pid = 0
        if status == -2 {
            let name = strsignal(signal).map { String(cString: $0) } ?? "signal \(signal)"
            return origin.error("unreadable HDF5 (libhdf5 crashed: signal \(signal), \(name); the file is corrupt)")
        }
        return origin.error("unreadable HDF5 (the HDF5 reader process exited with status \(status)\(status == 1 ? "; is libhdf5 installed? Scripts/setup installs it" : ""))")
    }

    /// The product of `dims`, or nil if it overflows.
    private static func product(_ dims: [Int]) -> Int? {
        var p = 1
        for d in dims {
            let (q, o) = p.multipliedReportingOverflow(by: d)
            if o { return nil }
            p = q
        }
        return p
    }

    private static func seconds(_ s: Double) -> String {
        s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s)
    }
}

// MARK: - Worker

/// The worker's side: one HDF5 file at a time, opened by an `open` request (which closes the
/// file opened before, `Worker.reuse`), read by the requests after it.
struct HDF5WorkerServer {
    let fd: Int32
    private var file: HDF5File?
    /// The memory allowance the parent asked for (`HDF5Isolation.Limits.memory`).
    private var allowance = HDF5Isolation.Limits().memory

    init(fd: Int32) { self.fd = fd }

    /// Serves requests until the parent closes the channel (or sending fails).
    mutating func run() {
        while true {
            guard let (tag, length) = try? HDF5WireIO.header(fd, deadline: nil) else { return }
            // Requests come from the parent (trusted); still, a length beyond any request's is
            // the end of the conversation.
            guard length <= 1 << 24 else { return }
            var payload = [UInt8](repeating: 0, count: length)
            guard (try? payload.withUnsafeMutableBytes { b in try HDF5WireIO.receive(fd, into: b, deadline: nil) }) != nil else { return }
            var r = HDF5WireReader(payload)
            do {
                switch HDF5WireTag(rawValue: tag) {
                case .open?:
                    let path = try r.string()
                    allowance = try r.int()
                    file = nil
                    limitMemory(allowance, plus: 0)
                    let (loaded, opened) = try HDF5Loader.loadInProcess(path, origin: HDF5Origin(file: path))
                    file = opened
                    guard send(.ok, Self.listing(loaded)) else { return }
                case .read?, .readRows?:
                    guard let file else { throw CheckpointError(.hdf5, file: "", message: "no file is open") }
                    let dataset = try r.string()
                    guard let element = HDF5Element(rawValue: try r.u8()) else { throw HDF5WireReader.Malformed() }
                    var count: Int, shape: [Int] = [], first = 0
                    if tag == HDF5WireTag.read.rawValue {
                        count = try r.int()
                    } else {
                        shape = try r.ints()
                        first = try r.int()
                        count = try r.int()
                    }
                    let rowSize = shape.dropFirst().reduce(1, *)
                    let values = (tag == HDF5WireTag.read.rawValue ? count : count * rowSize)
                    guard values >= 0, values <= Int.max / 8 else { throw HDF5WireReader.Malformed() }
                    let bytes = values * element.byteSize
                    limitMemory(allowance, plus: 2 * bytes)
                    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes, 1), alignment: 16)
                    defer { buffer.deallocate() }
                    let target = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<bytes])
                    if tag == HDF5WireTag.read.rawValue {
                        try file.read(dataset, count: count, as: element, into: target)
                    } else {
                        try file.readRows(dataset, shape: shape, rows: first..<(first + count), as: element, into: target)
                    }
                    var header = HDF5WireWriter()
                    header.u8(HDF5WireTag.ok.rawValue)
                    header.int(bytes)
                    guard (try? header.bytes.withUnsafeBytes { b in try HDF5WireIO.send(fd, b) }) != nil,
                          (try? HDF5WireIO.send(fd, UnsafeRawBufferPointer(target))) != nil else { return }
                default:
                    return
                }
            } catch let e as CheckpointError {
                var w = HDF5WireWriter()
                w.string(e.kind.rawValue)
                w.string(String(e.message.prefix(4000)))
                guard send(.error, w) else { return }
            } catch {
                return
            }
        }
    }

    /// The tensor list, metadata and native order of a loaded file, as `HDF5WorkerFile.listing`
    /// reads them.
    static func listing(_ loaded: LoadedCheckpoint) -> HDF5WireWriter {
        var w = HDF5WireWriter()
        w.string(loaded.format.rawValue)
        w.int(loaded.metadata.count)
        for (k, v) in loaded.metadata.sorted(by: { $0.key < $1.key }) { w.string(k); w.string(v) }
        w.int(loaded.tensors.count)
        for t in loaded.tensors {
            guard case .hdf5(_, let dataset) = t.source else { continue }
            w.string(t.info.name)
            w.string(t.info.dtype.rawValue)
            w.ints(t.info.shape)
            w.string(t.info.layout.rawValue)
            w.string(dataset)
            if let why = t.info.unreadable { w.u8(1); w.string(why) } else { w.u8(0) }
        }
        if let order = loaded.nativeOrder { w.u8(1); w.string(order.note ?? "") } else { w.u8(0) }
        return w
    }

    /// Everything a worker answers for `loaded` (a file read in this process) when it lists the
    /// file and then each readable tensor is read whole as Float64, in order: the answers the
    /// protocol's fuzz target starts from and its test replays.
    static func answers(_ loaded: LoadedCheckpoint, path: String) throws -> [UInt8] {
        var answers = listing(loaded).frame(.ok)
        let checkpoint = Checkpoint(path: path, loaded: loaded)
        for t in checkpoint.tensors where t.unreadable == nil {   // an unreadable tensor sends no request
            var values = HDF5WireWriter()
            for d in try checkpoint.readDoubles(t) { values.u64(d.bitPattern) }
            answers += values.frame(.ok)
        }
        return answers
    }

    private func send(_ tag: HDF5WireTag, _ payload: HDF5WireWriter) -> Bool {
        (try? payload.frame(tag).withUnsafeBytes { b in try HDF5WireIO.send(fd, b) }) != nil
    }

    /// Limits the address space to what is in use plus `allowance` and `plus` bytes.
    private func limitMemory(_ allowance: Int, plus: Int) {
        let (total, overflow) = max(0, allowance).addingReportingOverflow(max(0, plus))
        _ = htsr_worker_limit_memory(overflow ? UInt64.max : UInt64(total))
    }
}
