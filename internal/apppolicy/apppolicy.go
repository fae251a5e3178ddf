// Package apppolicy is what the OpenWan app may do in AWS and which credentials it reads, stated
// once for both paths: the EC2 instances' role and the EKS pods' IRSA roles take their
// statements from here, and the secrets the instances read at boot are the ones the pods get.
//
// It is pure: IAM documents are plain Go values, so their tests need no AWS SDK.
package apppolicy

import "strings"

// RoleTag marks the IAM roles the app's own code runs with, the pods' and the instances'. The
// policy pack holds the roles so tagged to least privilege (no "*" action or resource); its
// value names the component ("api", "worker").
const RoleTag = "openwan.io/app-role"

// SecretKeys are the app's credentials: the keys of the Kubernetes Secret the pods load, and the
// names of the SSM SecureString parameters under SecretsPath that hold them.
var SecretKeys = []string{"DATABASE_URL", "REDIS_PASSWORD", "RABBITMQ_URL"}

// SecretsPath is the SSM Parameter Store path of a stack's credentials, with its trailing slash.
func SecretsPath(stack string) string { return "/openwan/" + stack + "/" }

// SecretParametersARN matches every parameter under path (any region and account: the path is
// the stack's own).
func SecretParametersARN(path string) string {
	return "arn:aws:ssm:*:*:parameter/" + strings.TrimPrefix(path, "/") + "*"
}

// Statement is one IAM policy statement.
type Statement = map[string]any

// MediaBucketStatements let the app read, write and delete objects of the media bucket and list
// it: uploads, downloads and transcodes, and nothing else of S3.
func MediaBucketStatements(bucket string) []Statement {
	return []Statement{
		{
			"Effect":   "Allow",
			"Action":   []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"},
			"Resource": "arn:aws:s3:::" + bucket + "/*",
		},
		{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::" + bucket},
	}
}

// ReadSecretsStatement lets its holder read the parameters under path, decrypted with the
// account's AWS-managed SSM key (whose key policy admits every principal of the account).
func ReadSecretsStatement(path string) Statement {
	return Statement{
		"Effect":   "Allow",
		"Action":   []string{"ssm:GetParametersByPath", "ssm:GetParameters", "ssm:GetParameter"},
		"Resource": SecretParametersARN(path),
	}
}

// Document wraps statements in a policy document.
func Document(statements ...Statement) map[string]any {
	return map[string]any{"Version": "2012-10-17", "Statement": statements}
}
