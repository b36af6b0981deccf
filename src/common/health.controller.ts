import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { Answers, answerSchema } from './http/answers.js';
import { READINESS, readinessAnswer, readinessView } from './start/readiness.js';
import type { HubReadiness, ReadinessReport } from './start/readiness.js';

const liveView = z.object({ status: z.literal('live') });

const READY_DESCRIPTION =
  'Ready for traffic: `{status: "ready", checks, notReady: []}`. `checks` names each step: database (asked again at each check), migrations, first_team, pending_work, job_workers.';
const NOT_READY_DESCRIPTION =
  'Not ready: `status` is `not_ready` (starting, or the database does not answer) or `stopping` (a signal came), and `notReady` names the steps that do not hold. While not ready, every other route answers 503 with `Retry-After`.';

/**
 * The probes of an orchestrator or a balancer. The front door answers these routes itself until the application
 * exists; both answer from the same `HubReadiness`.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(@Inject(READINESS) private readonly readiness: HubReadiness) {}

  @Answers(liveView, 'From the moment the process listens, through its start and its stop.')
  @Get('live')
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Liveness: the process answers (restart it when this fails)' })
  live() {
    return { status: 'live' as const };
  }

  @Answers(readinessView, READY_DESCRIPTION)
  @Get('ready')
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Readiness: send this process traffic only while this answers 200' })
  @ApiResponse({ status: 503, description: NOT_READY_DESCRIPTION, schema: answerSchema(readinessView) as never })
  ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessReport> {
    return this.answer(reply);
  }

  @Answers(readinessView, READY_DESCRIPTION)
  @Get()
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Readiness under its older name (scripts written before /health/ready): the same answers' })
  @ApiResponse({ status: 503, description: NOT_READY_DESCRIPTION, schema: answerSchema(readinessView) as never })
  health(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessReport> {
    return this.answer(reply);
  }

  private async answer(reply: FastifyReply): Promise<ReadinessReport> {
    const { statusCode, body } = await readinessAnswer(this.readiness);
    reply.status(statusCode);
    return body;
  }
}
