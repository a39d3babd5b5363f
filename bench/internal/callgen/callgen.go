// Package callgen draws the calls of one PBX year for the benchmarks: the same
// call i always comes out the same, so that the spool generator, the catalogue
// loader and the CDR loader agree without sharing state and can run in parallel.
//
// The mix: 200 extensions (201–400), 4 DIDs, 20,000 external numbers whose call
// counts follow a Zipf–Mandelbrot law (the busiest has about 0.2 % of all calls,
// the quietest about 1/100,000), talk times log-normal around a minute, 10 %
// unanswered, half of those (5 % of all) leaving an empty recording, and 8 % of
// calls a transferred leg sharing the previous call's linkedid.
package callgen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Sizes of the simulated PBX.
const (
	Externals  = 20000
	Extensions = 200
	firstExt   = 201
	zipfShift  = 100.0 // Mandelbrot's q: flattens the head of the Zipf law
)

// DIDs are the PBX's four inbound numbers.
var DIDs = []string{"74957390100", "74957390101", "74952215500", "78001005050"}

// Model spreads n calls evenly over days days ending before End (UTC).
type Model struct {
	N    int64
	Days int
	End  time.Time // midnight after the last day, UTC
	Seed uint64
}

// Call is one recorded call leg: what the file name says and its CDR row.
type Call struct {
	I                         int64
	Time                      time.Time // UTC
	Type, Dest, From          string    // the file name's fields
	UniqueID, LinkedID        string
	Src, Dst, CNum, CNam, DID string
	Channel, DstChannel       string
	LastApp, DContext         string
	Disposition               string
	Duration, Billsec         int // seconds
	Ext                       string
	ExternalRank              int // -1 for internal calls
	Empty                     bool
	Format                    string // file extension: wav, WAV, gsm, ulaw
}

// Start is the first day's midnight.
func (m Model) Start() time.Time { return m.End.AddDate(0, 0, -m.Days) }

// hourWeights is the share of a day's calls in each hour: office hours, a lunch dip.
var hourWeights = [24]float64{1, 0.5, 0.3, 0.3, 0.3, 0.5, 1, 3, 8, 12, 13, 12, 9, 10, 12, 12, 11, 9, 6, 4, 3, 2, 1.5, 1}

var hourCDF = func() [24]float64 {
	var c [24]float64
	sum := 0.0
	for _, w := range hourWeights {
		sum += w
	}
	acc := 0.0
	for h, w := range hourWeights {
		acc += w / sum
		c[h] = acc
	}
	return c
}()

func (m Model) rng(i int64, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(m.Seed^stream, uint64(i)))
}

// TimeOf is call i's start time, second precision.
func (m Model) TimeOf(i int64) time.Time {
	r := m.rng(i, 0x7131)
	day := i * int64(m.Days) / m.N
	u := r.Float64()
	h := 0
	for h < 23 && u > hourCDF[h] {
		h++
	}
	sec := h*3600 + r.IntN(3600)
	return m.Start().AddDate(0, 0, int(day)).Add(time.Duration(sec) * time.Second)
}

// UniqueIDOf is call i's Asterisk uniqueid: its epoch and a sequence.
func (m Model) UniqueIDOf(i int64) string {
	return fmt.Sprintf("%d.%d", m.TimeOf(i).Unix(), i)
}

// National is the 10-digit national number of external rank r (distinct per rank).
func National(r int) string {
	return fmt.Sprintf("9%09d", (int64(r)*7919+12345)%1000000000)
}

// ExtOf is extension number k (0-based).
func ExtOf(k int) string { return fmt.Sprint(firstExt + k) }

// externalRank draws a rank from the Zipf–Mandelbrot law: P(rank < k) =
// ln((k+q)/q) / ln((Externals+q)/q).
func externalRank(u float64) int {
	k := zipfShift*math.Exp(u*math.Log((Externals+zipfShift)/zipfShift)) - zipfShift
	return min(int(k), Externals-1)
}

// CallsOfRank is the expected number of calls, out of n, with external rank r.
func CallsOfRank(n int64, r int) float64 {
	l := math.Log((Externals + zipfShift) / zipfShift)
	return float64(n) * math.Log((float64(r)+1+zipfShift)/(float64(r)+zipfShift)) / l
}

// Call draws call i.
func (m Model) Call(i int64) Call {
	r := m.rng(i, 0xca11)
	c := Call{I: i, Time: m.TimeOf(i), UniqueID: m.UniqueIDOf(i), ExternalRank: -1}
	c.LinkedID = c.UniqueID
	if i > 0 && r.IntN(100) < 8 {
		c.LinkedID = m.UniqueIDOf(i - 1)
	}
	k := r.IntN(Extensions)
	c.Ext = ExtOf(k)
	rank := externalRank(r.Float64())
	nat := National(rank)
	did := DIDs[r.IntN(len(DIDs))]
	c.DContext = "from-internal"
	c.LastApp = "Dial"
	switch t := r.IntN(100); {
	case t < 45: // inbound from a DID to an extension
		c.ExternalRank = rank
		c.Type, c.Dest, c.From = "in", did, "+7"+nat
		c.Src, c.Dst, c.CNum, c.DID = "7"+nat, c.Ext, "+7"+nat, did
		c.DContext = "from-trunk"
		c.Channel, c.DstChannel = "PJSIP/trunk-"+hex(i), "PJSIP/"+c.Ext+"-"+hex(i+1)
	case t < 85: // outbound, dialled with the trunk prefix 8
		c.ExternalRank = rank
		c.Type, c.Dest, c.From = "out", "8"+nat, c.Ext
		c.Src, c.Dst, c.CNum = c.Ext, "8"+nat, c.Ext
		c.Channel, c.DstChannel = "PJSIP/"+c.Ext+"-"+hex(i), "PJSIP/trunk-"+hex(i+1)
	case t < 95: // internal
		other := ExtOf((k + 1 + r.IntN(Extensions-1)) % Extensions)
		c.Type, c.Dest, c.From = "internal", other, c.Ext
		c.Src, c.Dst, c.CNum = c.Ext, other, c.Ext
		c.Channel, c.DstChannel = "PJSIP/"+c.Ext+"-"+hex(i), "PJSIP/"+other+"-"+hex(i+1)
	case t < 98: // queue
		c.ExternalRank = rank
		c.Type, c.Dest, c.From = "q", "700", "+7"+nat
		c.Src, c.Dst, c.CNum, c.DID = "7"+nat, "700", "+7"+nat, did
		c.DContext, c.LastApp = "ext-queues", "Queue"
		c.Channel, c.DstChannel = "PJSIP/trunk-"+hex(i), "Local/"+c.Ext+"@from-queue-"+hex(i+1)+";1"
	default: // ring group
		c.ExternalRank = rank
		c.Type, c.Dest, c.From = "rg", "600", "+7"+nat
		c.Src, c.Dst, c.CNum, c.DID = "7"+nat, "600", "+7"+nat, did
		c.DContext = "ext-group"
		c.Channel, c.DstChannel = "PJSIP/trunk-"+hex(i), "PJSIP/"+c.Ext+"-"+hex(i+1)
	}
	if c.ExternalRank >= 0 && c.Type != "out" {
		c.CNam = "CALLER " + fmt.Sprint(rank)
	} else {
		c.CNam = "Ext " + c.Ext
	}
	ring := 3 + r.IntN(20)
	switch d := r.IntN(100); {
	case d < 5:
		c.Disposition, c.Empty = "NO ANSWER", true
		c.Duration = ring
	case d < 10:
		c.Disposition = "NO ANSWER"
		c.Duration = ring
	default:
		c.Disposition = "ANSWERED"
		talk := math.Exp(r.NormFloat64()*1.1 + math.Log(60))
		c.Billsec = int(math.Max(1, math.Min(talk, 7200)))
		c.Duration = c.Billsec + ring
	}
	switch f := r.IntN(100); {
	case f < 55:
		c.Format = "wav"
	case f < 80:
		c.Format = "WAV"
	case f < 95:
		c.Format = "gsm"
	default:
		c.Format = "ulaw"
	}
	if c.Empty {
		c.Format = "wav"
	}
	return c
}

func hex(i int64) string { return fmt.Sprintf("%08x", uint32(i*2654435761)) }

// FileName is the FreePBX 2.10+ name of the call's recording.
func (c Call) FileName() string {
	return fmt.Sprintf("%s-%s-%s-%s-%s.%s", c.Type, c.Dest, c.From, c.Time.Format("20060102-150405"), c.UniqueID, c.Format)
}

// Dir is the date directory of the call's recording, YYYY/MM/DD.
func (c Call) Dir() string { return c.Time.Format("2006/01/02") }

// RecordingSeconds is how long the recording plays: the answered part, or a few
// seconds of ringing for an unanswered leg that is not empty.
func (c Call) RecordingSeconds() int {
	switch {
	case c.Empty:
		return 0
	case c.Billsec == 0:
		return c.Duration
	}
	return c.Billsec
}
