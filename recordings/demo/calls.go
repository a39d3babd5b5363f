package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/totalrec/totalrec/recordings"
)

// file is one recording file of a call.
type file struct {
	dir   string // "" = the spool root (legacy flat layout)
	name  string
	ext   string
	secs  float64 // 0 = empty recording
	mtime time.Time
}

// call is one generated call: its recordings and its CDR rows.
type call struct {
	files []file
	cdr   []recordings.CDR
}

// pbx is the demo PBX's numbering plan.
type pbx struct {
	rng      *rand.Rand
	loc      *time.Location
	seq      int
	exts     []string
	dids     []string
	external []string
	// formats are the formats the next calls take before the drawn ones: the
	// last day starts with one of each, so that every demo has them all.
	formats []string
}

func newPBX(seed uint64, loc *time.Location) *pbx {
	p := &pbx{rng: rand.New(rand.NewPCG(seed, seed^0x5eed)), loc: loc}
	for e := 100; e <= 129; e++ {
		p.exts = append(p.exts, fmt.Sprint(e))
	}
	p.dids = []string{"74951234567", "74951234568", "78123334455", "442071234000"}
	for i := 0; i < 400; i++ {
		switch i % 4 {
		case 0, 1:
			p.external = append(p.external, fmt.Sprintf("+79%09d", p.rng.IntN(1e9)))
		case 2:
			p.external = append(p.external, fmt.Sprintf("8495%07d", p.rng.IntN(1e7)))
		default:
			p.external = append(p.external, fmt.Sprintf("+4477%08d", p.rng.IntN(1e8)))
		}
	}
	return p
}

func (p *pbx) pick(s []string) string { return s[p.rng.IntN(len(s))] }

// pickOther picks from s anything but not: nobody calls their own extension.
func (p *pbx) pickOther(s []string, not string) string {
	for {
		if v := p.pick(s); v != not {
			return v
		}
	}
}

// uniqueid is an Asterisk channel uniqueid: the channel's creation epoch and a sequence.
func (p *pbx) uniqueid(t time.Time) string {
	p.seq++
	return fmt.Sprintf("%d.%d", t.Unix(), p.seq)
}

// talkTime draws a call length: log-normal around half a minute, a few long ones.
func (p *pbx) talkTime() float64 {
	s := math.Exp(p.rng.NormFloat64()*0.9 + math.Log(30))
	if p.rng.IntN(100) == 0 {
		s += 300 + p.rng.Float64()*600
	}
	return math.Round(math.Max(3, math.Min(s, 1500))*100) / 100
}

// modern names a FreePBX 2.10+ recording: <type>-<dest>-<from>-YYYYMMDD-HHMMSS-<uid>.
func modern(typ, dest, from string, t time.Time, uid string) string {
	return fmt.Sprintf("%s-%s-%s-%s-%s", typ, dest, from, t.Format("20060102-150405"), uid)
}

func dayDir(t time.Time) string { return t.Format("2006/01/02") }

// row is a CDR row with the fields every leg shares filled in.
func row(t time.Time, uid, linked, src, dst, channel, dstchannel, app, disp string, dur, bill int) recordings.CDR {
	return recordings.CDR{CallDate: t, UniqueID: uid, LinkedID: linked, Src: src, CNum: src, Dst: dst,
		Channel: channel, DstChannel: dstchannel, LastApp: app, Disposition: disp, Duration: dur, Billsec: bill}
}

// inbound is a call from outside to a DID, through ring group 600 or queue 700, to an
// extension; unanswered ones leave an empty recording, some are transferred.
func (p *pbx) inbound(t time.Time, ext string) call {
	var c call
	cid, did := p.pick(p.external), p.pick(p.dids)
	uid := p.uniqueid(t)
	ring := 2 + p.rng.IntN(12)
	answered := p.rng.IntN(100) < 85
	talk := p.talkTime()
	viaQueue := p.rng.IntN(4) == 0
	typ, dest := "in", did
	if viaQueue {
		typ, dest = "q", "700"
	}
	name := modern(typ, dest, cid, t, uid)
	trunk := "PJSIP/trunk-" + fmt.Sprintf("%08x", p.seq)
	agent := p.pick(p.exts)
	if !answered {
		c.files = append(c.files, file{dir: dayDir(t), name: name, ext: ext, mtime: t.Add(time.Duration(ring) * time.Second)})
		for i := 0; i < 3; i++ {
			r := row(t, uid, uid, cid, p.exts[p.rng.IntN(len(p.exts))], trunk, "PJSIP/"+p.pick(p.exts)+"-0000", "Dial", "NO ANSWER", ring, 0)
			r.DID, r.RecordingFile = did, name+"."+ext
			c.cdr = append(c.cdr, r)
		}
		return c
	}
	total := ring + int(talk)
	c.files = append(c.files, file{dir: dayDir(t), name: name, ext: ext, secs: talk, mtime: t.Add(time.Duration(total) * time.Second)})
	// The ring group rings several phones: each leg that did not answer is a row.
	for i := 0; i < 2; i++ {
		r := row(t, uid, uid, cid, "600", trunk, "PJSIP/"+p.pick(p.exts)+"-0001", "Dial", "NO ANSWER", total, 0)
		r.DID = did
		c.cdr = append(c.cdr, r)
	}
	r := row(t, uid, uid, cid, agent, trunk, "PJSIP/"+agent+"-0002", "Dial", "ANSWERED", total, int(talk))
	r.DID, r.RecordingFile, r.CNam = did, name+"."+ext, "CUSTOMER"
	c.cdr = append(c.cdr, r)
	if p.rng.IntN(5) == 0 {
		// FreePBX's hangup handler row beside the recorded leg.
		h := row(t, uid, uid, cid, "h", trunk, "", "Hangup", "ANSWERED", total, int(talk))
		h.DID, h.RecordingFile = did, name+"."+ext
		c.cdr = append(c.cdr, h)
	}
	if p.rng.IntN(8) == 0 {
		// A blind transfer to a colleague: a second recording under the same linkedid.
		t2 := t.Add(time.Duration(total) * time.Second)
		uid2 := p.uniqueid(t2)
		colleague := p.pickOther(p.exts, agent)
		talk2 := p.talkTime()
		name2 := modern("internal", colleague, agent, t2, uid2)
		c.files = append(c.files, file{dir: dayDir(t), name: name2, ext: ext, secs: talk2, mtime: t2.Add(time.Duration(talk2) * time.Second)})
		r2 := row(t2, uid2, uid, agent, colleague, "PJSIP/"+agent+"-0003", "PJSIP/"+colleague+"-0004", "Dial", "ANSWERED", int(talk2)+2, int(talk2))
		r2.RecordingFile = name2 + "." + ext
		c.cdr = append(c.cdr, r2)
	}
	return c
}

// outbound is an extension dialling out; some calls are busy or unanswered.
func (p *pbx) outbound(t time.Time, ext string) call {
	var c call
	from, to := p.pick(p.exts), p.pick(p.external)
	uid := p.uniqueid(t)
	name := modern("out", to, from, t, uid)
	disp, talk := "ANSWERED", p.talkTime()
	switch n := p.rng.IntN(100); {
	case n < 10:
		disp, talk = "NO ANSWER", 0
	case n < 14:
		disp, talk = "BUSY", 0
	}
	ring := 3 + p.rng.IntN(15)
	c.files = append(c.files, file{dir: dayDir(t), name: name, ext: ext, secs: talk, mtime: t.Add(time.Duration(ring+int(talk)) * time.Second)})
	r := row(t, uid, uid, from, to, "PJSIP/"+from+"-0005", "PJSIP/trunk-0006", "Dial", disp, ring+int(talk), int(talk))
	r.RecordingFile = name + "." + ext
	c.cdr = append(c.cdr, r)
	return c
}

// internal is a call between two extensions; sometimes recorded on demand (*1).
func (p *pbx) internal(t time.Time, ext string) call {
	var c call
	from := p.pick(p.exts)
	to := p.pickOther(p.exts, from)
	uid := p.uniqueid(t)
	typ := "internal"
	if p.rng.IntN(6) == 0 {
		typ = "ondemand"
	}
	talk := p.talkTime() / 2
	name := modern(typ, to, from, t, uid)
	c.files = append(c.files, file{dir: dayDir(t), name: name, ext: ext, secs: talk, mtime: t.Add(time.Duration(2+int(talk)) * time.Second)})
	r := row(t, uid, uid, from, to, "PJSIP/"+from+"-0007", "PJSIP/"+to+"-0008", "Dial", "ANSWERED", 2+int(talk), int(talk))
	r.RecordingFile = name + "." + ext
	c.cdr = append(c.cdr, r)
	return c
}

// conference is a recorded conference room; FreePBX names it <room>-<room>-<policy>-….
func (p *pbx) conference(t time.Time, ext string) call {
	uid := p.uniqueid(t)
	talk := 300 + p.rng.Float64()*900
	name := fmt.Sprintf("800-800-always-%s-%s", t.Format("20060102-150405"), uid)
	from := p.pick(p.exts)
	r := row(t, uid, uid, from, "800", "PJSIP/"+from+"-0009", "", "ConfBridge", "ANSWERED", int(talk), int(talk))
	r.RecordingFile = name + "." + ext
	return call{files: []file{{dir: dayDir(t), name: name, ext: ext, secs: talk, mtime: t.Add(time.Duration(talk) * time.Second)}}, cdr: []recordings.CDR{r}}
}

// legacy is a call recorded by FreePBX 2.9 into the flat spool root, with its names.
func (p *pbx) legacy(t time.Time, ext string) call {
	uid := p.uniqueid(t)
	talk := p.talkTime()
	var name string
	var r recordings.CDR
	ts := t.Format("20060102-150405")
	switch p.rng.IntN(4) {
	case 0:
		from, to := p.pick(p.exts), p.pick(p.external)
		name = fmt.Sprintf("OUT%s-%s-%s", from, ts, uid)
		r = row(t, uid, "", from, to, "SIP/"+from+"-01", "SIP/trunk-02", "Dial", "ANSWERED", int(talk)+5, int(talk))
	case 1:
		name = fmt.Sprintf("q700-%s-%s", ts, uid)
		r = row(t, uid, "", p.pick(p.external), "700", "SIP/trunk-03", "Local/101@from-queue", "Queue", "ANSWERED", int(talk)+9, int(talk))
	case 2:
		name = fmt.Sprintf("g600-%s-%s", ts, uid)
		r = row(t, uid, "", p.pick(p.external), "600", "SIP/trunk-04", "SIP/102-05", "Dial", "ANSWERED", int(talk)+4, int(talk))
	default:
		to := p.pick(p.exts)
		name = fmt.Sprintf("%s-%s", ts, uid)
		r = row(t, uid, "", p.pick(p.external), to, "SIP/trunk-06", "SIP/"+to+"-07", "Dial", "ANSWERED", int(talk)+3, int(talk))
	}
	r.CNum = "" // FreePBX 2.9 tables have no cnum, did, recordingfile or linkedid
	return call{files: []file{{name: name, ext: ext, secs: talk, mtime: t.Add(time.Duration(talk) * time.Second)}}, cdr: []recordings.CDR{r}}
}
