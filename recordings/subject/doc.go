// Package subject answers a data subject's requests about one phone number
// (GDPR articles 15 and 17): Find lists every recording and CDR row the number
// took part in, Export writes them to one ZIP, and Erase deletes the recordings'
// audio, empties what the catalogue (and, when asked, the CDR table) says about
// the call's parties, and returns a certificate of what it removed, which the
// command signs. A legal hold wins: a held recording is kept and listed as
// retained, with the hold's reason.
//
// An erasure leaves the evidence chain whole without keeping the erased data:
// manifests name recordings by id and hash only (package evidence), and the next
// manifest lists each erased recording's deletion with the erasure as its rule.
package subject
