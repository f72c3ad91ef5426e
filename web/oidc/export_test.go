package oidc

// ChangeNonce returns the flow cookie value v with another nonce, sealed
// with rp's key: what an attacker who could forge the cookie would send.
func (rp *RP) ChangeNonce(v string) (string, bool) {
	f, ok := rp.open(v)
	if !ok {
		return "", false
	}
	f.Nonce = "another-" + f.Nonce
	return rp.seal(f), true
}

// FlowCookie is the name of the flow cookie.
const FlowCookie = flowCookie
