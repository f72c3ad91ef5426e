package readmodeltest

import (
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/leerpad/leerpad/projections"
)

// Unknown is an id no data set holds; every query is also asked with it.
const Unknown = "00000000-0000-4000-8000-00000000dead"

// DataSet is what the queries are asked about: the ids a log holds and
// moments along it. It is harvested from the events themselves, not from a
// read model, so that a read model that lost an index is still asked about
// what the index should hold.
type DataSet struct {
	// records holds per event its ids by the JSON name of the field that
	// holds them ("journeyId", "managerId", ...), the stream's id under
	// "<category>Id".
	records []map[string][]string
	// Moments are times to ask "as of": before the first event, along the
	// log, and after the last.
	Moments []time.Time
}

// DataSetOf harvests the ids and times of the events' payloads: every
// string field whose JSON name ends in "Id" or "Hash" (in nested structs
// and slices too; a slice "trainerIds" holds trainerId values), and every
// time.
func DataSetOf(events []projections.Event) DataSet {
	var d DataSet
	var times []time.Time
	for _, ev := range events {
		r := map[string][]string{}
		if cat, id, ok := projections.ParseStream(ev.Stream); ok {
			r[cat+"Id"] = append(r[cat+"Id"], id)
		}
		harvest(reflect.ValueOf(ev.Data), "", r, &times)
		d.records = append(d.records, r)
	}
	slices.SortFunc(times, time.Time.Compare)
	if len(times) > 0 {
		first, last := times[0], times[len(times)-1]
		d.Moments = append(d.Moments, first.Add(-24*time.Hour))
		for _, q := range []int{1, 2, 3} {
			d.Moments = append(d.Moments, times[len(times)*q/4])
		}
		d.Moments = append(d.Moments, last, last.AddDate(0, 1, 0), last.AddDate(0, 6, 0))
	}
	return d
}

func harvest(v reflect.Value, name string, r map[string][]string, times *[]time.Time) {
	if !v.IsValid() {
		return
	}
	if t, ok := v.Interface().(time.Time); ok {
		if !t.IsZero() {
			*times = append(*times, t)
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			harvest(v.Elem(), name, r, times)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			n, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if n == "" || n == "-" {
				n = strings.ToLower(f.Name[:1]) + f.Name[1:]
			}
			harvest(v.Field(i), n, r, times)
		}
	case reflect.Slice, reflect.Array:
		name = strings.TrimSuffix(name, "s") // "trainerIds" holds trainerId values
		for i := range v.Len() {
			harvest(v.Index(i), name, r, times)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			harvest(it.Value(), name, r, times)
		}
	case reflect.String:
		if s := v.String(); s != "" && (strings.HasSuffix(name, "Id") || strings.HasSuffix(name, "Hash")) {
			r[name] = append(r[name], s)
		}
	default:
	}
}

// IDs returns the distinct values of the named id fields in the data set,
// sorted, and Unknown.
func (d DataSet) IDs(fields ...string) []string {
	out := []string{Unknown}
	for _, r := range d.records {
		for _, f := range fields {
			out = append(out, r[f]...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Pairs returns the distinct pairs of ids of fields a and b that one event
// holds together, sorted, and a pair of unknown ids.
func (d DataSet) Pairs(a, b string) [][2]string {
	out := [][2]string{{Unknown, Unknown}}
	for _, r := range d.records {
		for _, x := range r[a] {
			for _, y := range r[b] {
				out = append(out, [2]string{x, y})
			}
		}
	}
	slices.SortFunc(out, func(p, q [2]string) int { return strings.Compare(p[0]+" "+p[1], q[0]+" "+q[1]) })
	return slices.Compact(out)
}
