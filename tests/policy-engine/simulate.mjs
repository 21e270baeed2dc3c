// Reads a JSON list of simulations on stdin, each
//   {principal, action, resource, accountId, context, identityPolicies: [{name, policy}],
//    resourcePolicy}
// and prints one JSON list of results, in order: {"result": "Allowed" | "ImplicitlyDenied"
// | "ExplicitlyDenied"} or {"error": ...} when iam-simulate refuses the input.
import { runSimulation } from '@cloud-copilot/iam-simulate'

const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const requests = JSON.parse(Buffer.concat(chunks).toString('utf8'))
const results = []
for (const r of requests) {
  const response = await runSimulation(
    {
      request: {
        principal: r.principal,
        action: r.action,
        resource: { resource: r.resource, accountId: r.accountId },
        contextVariables: r.context
      },
      identityPolicies: r.identityPolicies,
      resourcePolicy: r.resourcePolicy,
      serviceControlPolicies: [],
      resourceControlPolicies: []
    },
    {}
  )
  results.push(
    response.resultType === 'error'
      ? { error: response.errors }
      : { result: response.overallResult }
  )
}
process.stdout.write(JSON.stringify(results))
