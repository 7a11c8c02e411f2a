package orderdoc_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/ordergraph/ordergraph"
	"github.com/ordergraph/ordergraph/internal/store/orderdoc"
	"github.com/ordergraph/ordergraph/internal/store/storetest"
)

// fill sets every field reachable from v to a distinct non-zero value, and
// every slice to two elements, so a field the codec forgets shows up.
func fill(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", *n))
	case reflect.Int, reflect.Int64:
		if v.Type() == reflect.TypeFor[time.Duration]() {
			v.SetInt(int64(*n) * int64(time.Second))
		} else {
			v.SetInt(int64(*n) * 1001)
		}
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range v.Len() {
			fill(v.Index(i), n)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(storetest.T0.Add(time.Duration(*n) * time.Minute)))
			return
		}
		for i := range v.NumField() {
			fill(v.Field(i), n)
		}
	default:
		panic(fmt.Sprintf("fill: unhandled kind %s; teach fill and the order codec", v.Kind()))
	}
}

func TestOrderCodec(t *testing.T) {
	t.Parallel()
	full := &ordergraph.Order{}
	fill(reflect.ValueOf(full).Elem(), new(int))
	emptySlices := storetest.NewOrder("1", "10", storetest.Created, storetest.T0).Clone() // empty, not nil
	zeroPtrTime := storetest.NewOrder("1", "10", storetest.FBProcessing, storetest.T0)
	zeroPtrTime.AckedAt = &time.Time{}

	for name, o := range map[string]*ordergraph.Order{
		"Full":        full,
		"Zero":        {},
		"NilSlices":   storetest.NewOrder("1", "10", storetest.FBProcessing, storetest.T0),
		"EmptySlices": emptySlices,
		"ZeroPtrTime": zeroPtrTime,
		"Refunded":    storetest.NewOrder("1", "10", storetest.Refunded, storetest.T0),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := orderdoc.Decode(orderdoc.Encode(o))
			if err != nil {
				t.Fatal(err)
			}
			if diff := gocmp.Diff(o, got); diff != "" {
				t.Errorf("round trip mismatch (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("JSON", func(t *testing.T) {
		t.Parallel()
		o := storetest.NewOrder("1", "10", storetest.Refunded, storetest.T0.In(time.FixedZone("X", 3600)))
		doc, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		got, err := orderdoc.Decode(doc)
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(o, got); diff != "" {
			t.Errorf("round trip mismatch (-want +got):\n%s", diff)
		}
		if got.Created.Location() != time.UTC {
			t.Errorf("Created in %v, want UTC", got.Created.Location())
		}
	})
	t.Run("ErrCorrupt", func(t *testing.T) {
		t.Parallel()
		doc := orderdoc.Encode(full)
		for n := range len(doc) {
			if _, err := orderdoc.Decode(doc[:n]); !errors.Is(err, orderdoc.ErrCorrupt) {
				t.Fatalf("decode of %d of %d bytes: err = %v, want %v", n, len(doc), err, orderdoc.ErrCorrupt)
			}
		}
		for _, doc := range [][]byte{append(doc, 0), {9}, []byte("{"), {orderdoc.DocV1, 0xff, 0xff, 0xff, 0xff, 0x0f}} {
			if _, err := orderdoc.Decode(doc); !errors.Is(err, orderdoc.ErrCorrupt) {
				t.Errorf("decode of %q: err = %v, want %v", doc, err, orderdoc.ErrCorrupt)
			}
		}
	})
}

func BenchmarkOrderCodec(b *testing.B) {
	o := storetest.NewOrder("1", "123456789012345", storetest.Refunded, storetest.T0)
	doc := orderdoc.Encode(o)
	jdoc, _ := json.Marshal(o)
	b.Run("Encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			orderdoc.Encode(o)
		}
	})
	b.Run("Decode", func(b *testing.B) {
		b.ReportAllocs()
		b.ReportMetric(float64(len(doc)), "bytes")
		for b.Loop() {
			if _, err := orderdoc.Decode(doc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("DecodeJSON", func(b *testing.B) {
		b.ReportAllocs()
		b.ReportMetric(float64(len(jdoc)), "bytes")
		for b.Loop() {
			if _, err := orderdoc.Decode(jdoc); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestOrderCodecReadsOlderFormats keeps documents written before the
// docV2 and docV3 trailers readable: a v2 document is a v3 one without the
// chargebacks, and a v1 document a v2 one without its trailer.
func TestOrderCodecReadsOlderFormats(t *testing.T) {
	t.Parallel()
	o := &ordergraph.Order{ID: "1", PageID: "2", Currency: "USD", Items: []ordergraph.Item{{ID: "3", Quantity: 1}}, Version: 4}
	v3 := orderdoc.Encode(o)
	if v3[0] != orderdoc.DocV3 || v3[len(v3)-1] != 0 || v3[len(v3)-2] != 0 {
		t.Fatalf("unexpected v3 layout: % x", v3)
	}
	v2 := append([]byte{orderdoc.DocV2}, v3[1:len(v3)-1]...) // drop the nil Chargebacks marker
	v1 := append([]byte{orderdoc.DocV1}, v2[1:len(v2)-1]...) // and the nil Returns marker
	for name, doc := range map[string][]byte{"v1": v1, "v2": v2} {
		got, err := orderdoc.Decode(doc)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.ID != "1" || got.Version != 4 || got.Returns != nil || got.Chargebacks != nil || len(got.Items) != 1 {
			t.Fatalf("%s decoded %+v", name, got)
		}
	}
}
