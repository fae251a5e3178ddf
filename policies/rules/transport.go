package rules

import (
	"fmt"

	"github.com/openwan/openwan-infra/internal/model"
)

// albCertificateAnnotation is the AWS Load Balancer Controller's Ingress annotation that gives
// the ALB its certificate and with it an HTTPS listener.
const albCertificateAnnotation = "alb.ingress.kubernetes.io/certificate-arn"

var productionTLS = Rule{
	Name:        "production-tls",
	Description: "In production, every API load balancer serves HTTPS: the EC2 ALB's HTTP listener only redirects, and the EKS Ingress has a certificate.",
	Why: "Requests carry users' sessions and media; over plain HTTP anyone on the path reads and changes them. A production stack without " +
		"a certificate on each path must not reach users.",
	Level:          Mandatory,
	ProductionOnly: true,
	Check: func(r model.Resource, _ Params) []string {
		switch r.Type {
		case model.TypeLBListener:
			if protocol, _ := str(r.Inputs, "protocol"); protocol != "HTTP" {
				return nil
			}
			for _, a := range objects(r.Inputs, "defaultActions") {
				typ, _ := str(a, "type")
				to, _ := str(a, "redirect.protocol")
				if typ != "redirect" || to != "HTTPS" {
					port, _ := num(r.Inputs, "port")
					return []string{fmt.Sprintf("%s: port %s serves plain HTTP (%s); set openwan:ec2.api.certificateArn so it redirects to HTTPS", label(r), fmtNum(port), typ)}
				}
			}
		case model.TypeK8sIngress:
			annotations := object(r.Inputs, "metadata")
			if cert, _ := object(annotations, "annotations")[albCertificateAnnotation].(string); cert == "" {
				return []string{fmt.Sprintf("%s: no %s, so its ALB serves plain HTTP; set openwan:cluster.ingress.certificateArn", label(r), albCertificateAnnotation)}
			}
		}
		return nil
	},
}
