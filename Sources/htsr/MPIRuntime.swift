#if MPI
import Analyzer
internal import CMPI
import Foundation

/// One rank of an MPI job (`mpirun`, `srun`), as a message channel for the distributed analysis.
/// Built only with `swift build --traits MPI`. MPI is called from the main thread only
/// (`MPI_THREAD_FUNNELED`); waiting for a message polls with `MPI_Iprobe` and short sleeps, so a
/// rank that waits leaves its core to the workers (a blocking `MPI_Recv` spins in OpenMPI).
final class MPIRuntime: MessageChannel {
    let rank: Int
    let size: Int
    /// The working ranks on this node: its ranks, less rank 0 (which only coordinates).
    let localWorkers: Int
    private let world = htsr_mpi_comm_world()

    /// Whether a launcher started this process: OpenMPI's `mpirun` (OMPI_COMM_WORLD_SIZE),
    /// PMIx (`srun --mpi=pmix`, OpenMPI 5: PMIX_RANK) or PMI (MPICH's Hydra, `srun --mpi=pmi2`: PMI_SIZE).
    static var launched: Bool {
        let env = ProcessInfo.processInfo.environment
        return ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK"].contains { env[$0] != nil }
    }

    /// Initialises MPI when a launcher started this process; nil otherwise.
    static func start() throws -> MPIRuntime? {
        guard launched else { return nil }
        var provided: Int32 = 0
        guard MPI_Init_thread(nil, nil, htsr_MPI_THREAD_FUNNELED, &provided) == htsr_MPI_SUCCESS else {
            throw RemoteError("MPI_Init_thread failed")
        }
        return MPIRuntime()
    }

    private init() {
        var r: Int32 = 0, s: Int32 = 0
        MPI_Comm_rank(world, &r)
        MPI_Comm_size(world, &s)
        rank = Int(r)
        size = Int(s)
        var node: MPI_Comm? = nil
        MPI_Comm_split_type(world, htsr_MPI_COMM_TYPE_SHARED, r, htsr_mpi_info_null(), &node)
        var nodeSize: Int32 = 1
        MPI_Comm_size(node, &nodeSize)
        var isCoordinator: Int32 = r == 0 ? 1 : 0, hostsCoordinator: Int32 = 0
        MPI_Allreduce(&isCoordinator, &hostsCoordinator, 1, htsr_mpi_int(), htsr_mpi_max(), node)
        MPI_Comm_free(&node)
        localWorkers = max(1, Int(nodeSize - hostsCoordinator))
    }

    func send(_ bytes: [UInt8], tag: Int, to: Int) throws {
        guard bytes.count <= Int(Int32.max) else { throw RemoteError("MPI message of \(bytes.count) bytes is too large") }
        let rc = bytes.withUnsafeBufferPointer { b in
            MPI_Send(b.baseAddress, Int32(b.count), htsr_mpi_byte(), Int32(to), Int32(tag), world)
        }
        guard rc == htsr_MPI_SUCCESS else { throw RemoteError("MPI_Send to rank \(to) failed (\(rc))") }
    }

    func receive(from: Int?, tag: Int?) throws -> ChannelMessage {
        var status = MPI_Status()
        var flag: Int32 = 0
        let source = from.map(Int32.init) ?? htsr_MPI_ANY_SOURCE, wanted = tag.map(Int32.init) ?? htsr_MPI_ANY_TAG
        var pause: useconds_t = 50
        while true {
            guard MPI_Iprobe(source, wanted, world, &flag, &status) == htsr_MPI_SUCCESS else { throw RemoteError("MPI_Iprobe failed") }
            if flag != 0 { break }
            usleep(pause)
            pause = min(2000, pause * 2)
        }
        var count: Int32 = 0
        MPI_Get_count(&status, htsr_mpi_byte(), &count)
        var bytes = [UInt8](repeating: 0, count: Int(max(0, count)))
        let (src, tg) = (status.MPI_SOURCE, status.MPI_TAG)
        let rc = bytes.withUnsafeMutableBufferPointer { b in
            MPI_Recv(b.baseAddress, count, htsr_mpi_byte(), src, tg, world, &status)
        }
        guard rc == htsr_MPI_SUCCESS else { throw RemoteError("MPI_Recv from rank \(src) failed (\(rc))") }
        return ChannelMessage(source: Int(src), tag: Int(tg), bytes: bytes)
    }

    func finalize() { MPI_Finalize() }

    /// The MPI library, e.g. "Open MPI v4.1.4, ...".
    static var libraryVersion: String {
        var buffer = [CChar](repeating: 0, count: 8192)
        var length: Int32 = 0
        MPI_Get_library_version(&buffer, &length)
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .split(separator: "\n").first.map(String.init) ?? ""
    }
}
#endif
