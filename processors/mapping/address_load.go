package mapping

import "go.yaml.in/yaml/v3"

// addressLimits reads the address section: every length a positive whole
// number of characters.
func (p *problems) addressLimits(n *yaml.Node) addressLimits {
	lim := defaultAddressLimits
	fields := map[string]*int{
		"line_length":        &lim.lineLength,
		"lines":              &lim.lines,
		"town_length":        &lim.town,
		"postal_code_length": &lim.postalCode,
		"state_length":       &lim.state,
		"name_length":        &lim.name,
	}
	known := []string{"line_length", "lines", "town_length", "postal_code_length", "state_length", "name_length"}
	for _, pr := range p.pairs(n, "", "address", "key", known) {
		v, ok := p.integer(pr.v, "", "address."+pr.key)
		if !ok {
			continue
		}
		if v <= 0 {
			p.add(lineOf(pr.v), "", "address.%s: must be a positive number of characters, got %d", pr.key, v)
			continue
		}
		*fields[pr.key] = v
	}
	return lim
}
