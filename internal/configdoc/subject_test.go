package configdoc

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWithoutSubject(t *testing.T) {
	cases := []struct{ doc, field, want string }{
		{"MaxConnections is the database's max_connections.", "MaxConnections", "The database's max_connections."},
		{"PublicSubnetIDs are the existing public subnets.", "PublicSubnetIDs", "The existing public subnets."},
		{"SingleNATGateway puts one NAT gateway in the first zone.", "SingleNATGateway", "Puts one NAT gateway in the first zone."},
		{"The field's name is not first.", "Enabled", "The field's name is not first."},
		{"EnabledX is a longer name.", "Enabled", "EnabledX is a longer name."},
	}
	for _, c := range cases {
		assert.Equal(t, c.want, withoutSubject(c.doc, c.field), "doc %q of field %s", c.doc, c.field)
	}
}
