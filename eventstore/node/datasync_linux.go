package node

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
	"unsafe"
)

// A Go goroutine blocked in fdatasync keeps its P (its share of GOMAXPROCS)
// until the runtime's monitor takes it back, which on an otherwise idle
// monitor can take milliseconds. On a machine with few CPUs that stalls the
// rest of the node for the length of every group commit: the gRPC reader
// and the request handlers that would fill the next batch wait for the one
// that is on disk (measured on 2 vCPUs: 1.3 of 2 CPUs busy at 64 writers).
//
// datasyncer therefore hands the fdatasync to the kernel as a Linux AIO
// IOCB_CMD_FDSYNC request (a kernel worker runs vfs_fsync_range, exactly
// what fdatasync runs) and waits for its completion on an eventfd through
// the runtime's network poller, which parks the goroutine and frees the P.
// The durability guarantee is the same: the caller continues only after the
// kernel has reported the data range stable, and an error is reported the
// same way. When nothing else is waiting for the CPU (one writer), the extra
// hop through the kernel worker only adds latency, so the committer then
// calls fdatasync directly. Kernels or sandboxes without AIO fsync (before
// Linux 4.18, seccomp profiles that deny io_setup) get fdatasync always.
type datasyncer struct {
	aio       uintptr  // AIO context; 0 when asynchronous syncs are unavailable
	event     *os.File // eventfd the kernel signals on completion, read through the poller
	efd       uint32   // its descriptor: never taken from event.Fd, which would make it blocking
	why       string   // why asynchronous syncs are unavailable
	asyncDone uint64   // syncs completed asynchronously (read after the committer stopped)
}

// Linux AIO ABI (include/uapi/linux/aio_abi.h).
const (
	iocbCmdFdsync = 3
	iocbFlagResfd = 1 << 0
)

// iocb is struct iocb of the Linux AIO ABI on little-endian 64-bit
// platforms.
type iocb struct {
	_      uint64 // aio_data
	_      uint32 // aio_key
	_      int32  // aio_rw_flags
	opcode uint16
	_      int16 // aio_reqprio
	fildes uint32
	_      uint64 // aio_buf
	_      uint64 // aio_nbytes
	_      int64  // aio_offset
	_      uint64 // aio_reserved2
	flags  uint32
	resfd  uint32
}

// ioEvent is struct io_event.
type ioEvent struct {
	data, obj uint64
	res, res2 int64
}

func newDatasyncer() *datasyncer {
	d := &datasyncer{}
	if unsafe.Sizeof(iocb{}) != 64 || runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64" {
		d.why = "unsupported platform for Linux AIO"
		return d
	}
	var ctx uintptr
	if _, _, errno := syscall.Syscall(syscall.SYS_IO_SETUP, 1, uintptr(unsafe.Pointer(&ctx)), 0); errno != 0 { //nolint:gosec // G103: the AIO ABI passes pointers
		d.why = "io_setup: " + errno.Error()
		return d
	}
	efd, _, errno := syscall.Syscall(syscall.SYS_EVENTFD2, 0, syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if errno != 0 {
		_, _, _ = syscall.Syscall(syscall.SYS_IO_DESTROY, ctx, 0, 0)
		d.why = "eventfd: " + errno.Error()
		return d
	}
	// A non-blocking descriptor given to os.NewFile is registered with the
	// runtime poller, so Read parks the goroutine instead of the thread.
	d.aio, d.efd, d.event = ctx, uint32(efd), os.NewFile(efd, "datasync-eventfd")
	return d
}

// Async reports whether asynchronous syncs are available, and if not, why.
func (d *datasyncer) Async() (bool, string) { return d.aio != 0, d.why }

// sync makes f's written data durable. async asks for the asynchronous path
// (see the type's comment); it falls back to fdatasync whenever that path
// cannot start.
func (d *datasyncer) sync(f *os.File, async bool) error {
	fd := int(f.Fd())
	if !async || d.aio == 0 {
		return syscall.Fdatasync(fd)
	}
	cb := iocb{opcode: iocbCmdFdsync, fildes: uint32(fd), flags: iocbFlagResfd, resfd: d.efd}
	list := [1]*iocb{&cb}
	n, _, errno := syscall.Syscall(syscall.SYS_IO_SUBMIT, d.aio, 1, uintptr(unsafe.Pointer(&list[0]))) //nolint:gosec // G103: the AIO ABI passes pointers
	runtime.KeepAlive(&cb)
	if errno != 0 || n != 1 {
		if errno == syscall.EINVAL || errno == syscall.ENOSYS || errno == syscall.EOPNOTSUPP {
			// This kernel cannot run fsync through AIO: stop trying.
			d.disable(fmt.Sprintf("io_submit(FDSYNC): %v", errno))
		}
		// Nothing was submitted: the data is still to be synced.
		return syscall.Fdatasync(fd)
	}
	// Wait for the completion signal without holding the P. A failed read
	// (which would be a bug) does no harm: io_getevents below blocks until
	// the request has completed either way.
	var count [8]byte
	_, _ = d.event.Read(count[:])
	var ev ioEvent
	for {
		got, _, errno := syscall.Syscall6(syscall.SYS_IO_GETEVENTS, d.aio, 1, 1, uintptr(unsafe.Pointer(&ev)), 0, 0) //nolint:gosec // G103: the AIO ABI passes pointers
		if errno == syscall.EINTR {
			continue
		}
		if errno != 0 {
			// The request's outcome is unknown: report a failed sync, which
			// stops writes (fail-stop) rather than acknowledge on a guess.
			return fmt.Errorf("io_getevents: %w", errno)
		}
		if got == 1 {
			break
		}
	}
	if ev.res < 0 {
		return syscall.Errno(-ev.res)
	}
	d.asyncDone++
	return nil
}

func (d *datasyncer) disable(why string) {
	d.close()
	d.why = why
}

// close releases the AIO context (waiting for a request in flight, of which
// there is none between calls to sync) and the eventfd.
func (d *datasyncer) close() {
	if d.aio != 0 {
		_, _, _ = syscall.Syscall(syscall.SYS_IO_DESTROY, d.aio, 0, 0)
		d.aio = 0
	}
	if d.event != nil {
		_ = d.event.Close()
		d.event = nil
	}
}
