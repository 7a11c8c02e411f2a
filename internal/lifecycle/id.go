package lifecycle

import (
	"crypto/rand"
	"encoding/binary"
	"strconv"
	"sync"
	"time"
)

// NewIDGenerator returns a generator of numeric string ids shaped like the
// platform's (15 to 19 digits): milliseconds since 2020 in the high bits, a
// random node number, and a per-millisecond sequence, so ids are unique
// across processes sharing one database and roughly ordered by time.
func NewIDGenerator() func() string {
	var b [2]byte
	_, _ = rand.Read(b[:])
	node := int64(binary.BigEndian.Uint16(b[:]) & 0x3ff)
	epoch := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	var mu sync.Mutex
	var last, seq int64
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		ms := time.Now().UnixMilli() - epoch
		if ms <= last {
			seq++
			if seq >= 1<<12 {
				last++
				seq = 0
			}
			ms = last
		} else {
			last, seq = ms, 0
		}
		return strconv.FormatInt(ms<<22|node<<12|seq, 10)
	}
}

// SequentialIDs returns a generator of ids start, start+1, ... for
// deterministic tests and golden files.
func SequentialIDs(start int64) func() string {
	var mu sync.Mutex
	n := start - 1
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return strconv.FormatInt(n, 10)
	}
}
