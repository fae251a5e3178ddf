package fleet

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/openwan/openwan-infra/components/internal/componenttest"
)

func TestAlertsArgsRefusals(t *testing.T) {
	valid := func() *AlertsArgs { return &AlertsArgs{Emails: []string{"ops@example.com", "oncall@example.com"}} }
	componenttest.Refusals(t, valid, (*AlertsArgs).validate, []componenttest.Refusal[AlertsArgs]{
		{Name: "an empty and a bare address", Change: func(a *AlertsArgs) { a.Emails = []string{"ops@example.com", "", "oncall"} },
			Fields: []string{"Emails[1]", "Emails[2]"}},
	})

	assert.NoError(t, (&AlertsArgs{}).validate(), "no addresses is allowed: the topic still carries scaling notifications")
}

func TestAlertsRefusedDeclaresNothing(t *testing.T) {
	err := componenttest.DeclareRefused(t, NewAlerts, "alerts", &AlertsArgs{Emails: []string{""}})
	assert.ErrorContains(t, err, "alerts alerts: Emails[0]", "the error names the component and the field")
}

func TestAlertsSubscribesEachAddress(t *testing.T) {
	emails := []string{"ops@example.com", "oncall@example.com"}
	p := componenttest.Declare(t, NewAlerts, "alerts", &AlertsArgs{Emails: emails})
	_, err := p.Get("openwan:ec2:Alerts", "alerts")
	require.NoError(t, err, "the component keeps its type token: it is in every child's URN")
	require.Len(t, p.Find(topicType), 1, "one topic for every alarm and notification")
	require.Len(t, p.Find(subscriptionType), len(emails), "one subscription per address")
	for i, email := range emails {
		name := "alerts-email-" + strconv.Itoa(i)
		assert.Equal(t, email, componenttest.Input(t, p, subscriptionType, name, "endpoint"), "%s subscribes address %d", name, i)
		assert.Equal(t, "email", componenttest.Input(t, p, subscriptionType, name, "protocol"), "%s is an e-mail subscription", name)
	}
}
